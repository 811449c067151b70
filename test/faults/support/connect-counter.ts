import net from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * Counts the TCP connects this process starts to one port, whatever library starts them: pg (and
 * so havuz) and postgres.js all open their sockets with `socket.connect(port, host)`, so one
 * wrapper on `net.Socket.prototype.connect` counts every library the same way, including the
 * attempts a library keeps no count of (pg.Pool has no event for a failed connect).
 */
export class ConnectCounter {
  /** performance.now() of each connect started to the port. */
  readonly times: number[] = [];

  private constructor(readonly port: number) {}

  static watch(port: number): ConnectCounter {
    const counter = new ConnectCounter(port);
    if (active.size === 0) install();
    active.add(counter);
    return counter;
  }

  /** Connects started in [from, to] (performance.now() times). */
  between(from: number, to: number): number {
    return this.times.filter((t) => t >= from && t <= to).length;
  }

  stop(): void {
    active.delete(this);
    if (active.size === 0) uninstall();
  }
}

const active = new Set<ConnectCounter>();
const original = net.Socket.prototype.connect;

function install(): void {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const port = portOf(args[0]);
    if (port !== undefined) for (const counter of active) if (counter.port === port) counter.times.push(performance.now());
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
}

function uninstall(): void {
  net.Socket.prototype.connect = original;
}

/** The port of any of connect()'s call shapes: (port, host), ({ port }), or net.connect's normalized [options, cb]. */
function portOf(first: unknown): number | undefined {
  const target = Array.isArray(first) ? first[0] : first;
  const port = typeof target === 'object' && target !== null ? (target as { port?: unknown }).port : target;
  const n = Number(port);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
