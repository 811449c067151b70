import net from 'node:net';
import { once } from 'node:events';

/**
 * What the proxy does with traffic, switchable mid-test (asyncpg's adversity tests cut
 * connectivity through a proxy the same way):
 * - `pass`: forward both ways.
 * - `delay`: forward each chunk after `ms`.
 * - `stall`: accept, but forward and answer nothing; bytes are held and flow again on `pass`.
 * - `blackhole`: swallow every byte both ways for good; sockets stay open, a close is not passed on.
 * - `reset`: cut every connection with a TCP RST, and every new one as soon as it is accepted.
 */
export type FaultMode = 'pass' | 'delay' | 'stall' | 'blackhole' | 'reset';

/** Stands for a FIN in the byte stream, so it is delayed, held or swallowed like the bytes before it. */
const END = Buffer.alloc(0);

function send(socket: net.Socket, chunk: Buffer): void {
  if (socket.destroyed || !socket.writable) return;
  if (chunk === END) socket.end();
  else socket.write(chunk);
}

interface Link {
  readonly client: net.Socket;
  upstream: net.Socket | undefined;
  upstreamClosed: boolean;
  /** The client sent its FIN (or closed): it has let go, whether or not the other side answered. */
  clientDone: boolean;
  /** Bytes held while stalled, per direction, in order. */
  readonly toUpstream: Buffer[];
  readonly toClient: Buffer[];
}

export interface ProxyTarget {
  host: string;
  port: number;
}

/** A TCP proxy on 127.0.0.1 (random port) in front of a real server, with faults switchable at any time. */
export class FaultProxy {
  readonly host = '127.0.0.1';
  /** Client connections accepted so far: every connect attempt a pool made through the proxy. */
  accepted = 0;
  readonly #server: net.Server;
  #target: ProxyTarget;
  readonly #links = new Set<Link>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #mode: FaultMode = 'pass';
  #delayMs = 0;

  private constructor(server: net.Server, target: ProxyTarget) {
    this.#server = server;
    this.#target = target;
  }

  static async start(target: ProxyTarget): Promise<FaultProxy> {
    // Half-open allowed: a FIN is passed on only while forwarding, never answered by Node itself,
    // so a black hole keeps a closing client waiting as a real partition would.
    const server = net.createServer({ allowHalfOpen: true });
    const proxy = new FaultProxy(server, target);
    server.on('connection', (socket) => proxy.#accept(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  /**
   * Client connections the client still holds open, not counting ones it has closed or sent its
   * FIN on: a black hole swallows that FIN, so the proxy's own side may linger, but the client let go.
   */
  get open(): number {
    let n = 0;
    for (const link of this.#links) if (!link.clientDone) n++;
    return n;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const u = new URL(url);
    u.hostname = this.host;
    u.port = String(this.port);
    return u.toString();
  }

  /** Sends new connections to another server from now on (a DNS name moving); open ones stay where they are. */
  retarget(target: ProxyTarget): void {
    this.#target = target;
  }

  pass(): void {
    this.#setMode('pass');
  }

  delay(ms: number): void {
    this.#delayMs = ms;
    this.#setMode('delay');
  }

  stall(): void {
    this.#setMode('stall');
  }

  blackhole(): void {
    this.#setMode('blackhole');
  }

  reset(): void {
    this.#setMode('reset');
  }

  /** Cuts every existing connection (RST by default, FIN with `end`); the mode stays as it is. */
  cutAll(how: 'reset' | 'end' = 'reset'): void {
    for (const link of [...this.#links]) this.#cut(link, how);
  }

  /** Stops listening, cuts every connection and clears every timer: nothing is left behind. */
  async close(): Promise<void> {
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.cutAll();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await closed;
  }

  #setMode(mode: FaultMode): void {
    this.#mode = mode;
    if (mode === 'reset') this.cutAll('reset');
    if (mode === 'pass' || mode === 'delay') {
      for (const link of this.#links) this.#resume(link);
    }
  }

  #accept(client: net.Socket): void {
    this.accepted++;
    if (this.#mode === 'reset') {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    const link: Link = { client, upstream: undefined, upstreamClosed: false, clientDone: false, toUpstream: [], toClient: [] };
    this.#links.add(link);
    client.on('error', () => {});
    client.on('data', (chunk: Buffer) => this.#forward(link, chunk, 'up'));
    client.on('end', () => {
      link.clientDone = true;
      this.#forward(link, END, 'up');
    });
    client.on('close', () => {
      link.clientDone = true;
      this.#links.delete(link);
      link.upstream?.destroy();
    });
    if (this.#mode === 'pass' || this.#mode === 'delay') this.#connectUpstream(link);
  }

  #connectUpstream(link: Link): void {
    if (link.upstream !== undefined || link.client.destroyed) return;
    const upstream = net.connect({ port: this.#target.port, host: this.#target.host, allowHalfOpen: true });
    link.upstream = upstream;
    upstream.on('connect', () => this.#flush(link));
    upstream.on('data', (chunk: Buffer) => this.#forward(link, chunk, 'down'));
    upstream.on('end', () => this.#forward(link, END, 'down'));
    upstream.on('error', () => {});
    upstream.on('close', (hadError) => {
      link.upstreamClosed = true;
      // A partition hides the server's close from the client, as a real one would.
      if (this.#mode !== 'pass' && this.#mode !== 'delay') return;
      if (hadError) this.#cut(link, 'reset');
      else this.#forward(link, END, 'down');
    });
  }

  #forward(link: Link, chunk: Buffer, direction: 'up' | 'down'): void {
    switch (this.#mode) {
      case 'pass':
        this.#write(link, chunk, direction);
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          this.#write(link, chunk, direction);
        }, this.#delayMs);
        this.#timers.add(timer);
        return;
      }
      case 'stall':
        (direction === 'up' ? link.toUpstream : link.toClient).push(chunk);
        return;
      case 'blackhole':
      case 'reset':
        return;
    }
  }

  #write(link: Link, chunk: Buffer, direction: 'up' | 'down'): void {
    if (direction === 'down') {
      send(link.client, chunk);
      return;
    }
    const upstream = link.upstream;
    if (upstream === undefined || upstream.connecting) {
      link.toUpstream.push(chunk);
      this.#connectUpstream(link);
    } else {
      send(upstream, chunk);
    }
  }

  /** Back to forwarding: connect what was accepted during a stall, deliver what was held. */
  #resume(link: Link): void {
    if (link.upstreamClosed) {
      this.#cut(link, 'reset');
      return;
    }
    if (link.upstream === undefined) this.#connectUpstream(link);
    else this.#flush(link);
  }

  #flush(link: Link): void {
    const upstream = link.upstream;
    if (upstream === undefined || upstream.connecting || upstream.destroyed) return;
    if (this.#mode !== 'pass' && this.#mode !== 'delay') return;
    for (const chunk of link.toUpstream.splice(0)) send(upstream, chunk);
    for (const chunk of link.toClient.splice(0)) send(link.client, chunk);
  }

  #cut(link: Link, how: 'reset' | 'end'): void {
    this.#links.delete(link);
    for (const socket of [link.client, link.upstream]) {
      if (socket === undefined || socket.destroyed) continue;
      if (how === 'end') socket.destroySoon();
      else socket.resetAndDestroy();
    }
  }
}
