import { constants } from 'node:os';
import type { CloseOptions } from '../core/contract.js';
import { InvalidOptionError, messageOf } from '../core/errors.js';
import { assertLogger, log, type Logger } from '../core/log.js';
import { duration } from '../core/options.js';
import { stoppingOf, type Stopper } from './stoppers.js';

export type { Stopper } from './stoppers.js';

/** What shutdown closes: a manager, an engine, a pool, a Redis or MongoDB database: anything with `close(options)`. */
export interface Closable {
  close(options?: CloseOptions): Promise<void>;
}

export interface ShutdownOptions {
  /** Default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /** One deadline for all of it (servers, in-flight work, databases). Default 10 s. */
  timeoutMs?: number;
  /** Stopped first, in parallel, so the work they accepted is answered while the databases still serve it. */
  stop?: readonly Stopper[];
  /**
   * Called with the exit code when shutdown is over (`exit: process.exit` in a program). Without
   * it havuz sets `process.exitCode` and lets the event loop end by itself; a second signal then
   * re-raises the signal with its default action, which ends the process.
   */
  exit?: (code: number) => void;
  logger?: Logger;
}

export interface ShutdownResult {
  /** 0: everything closed within the deadline; 1: the deadline passed or a close failed; 128 + n: forced by a second signal n. */
  code: number;
  /** The signal that started it; undefined when shutdown() was called. */
  signal: NodeJS.Signals | undefined;
  /** The deadline passed before everything finished: what was left was cut. */
  timedOut: boolean;
  /** Stoppers or closes that failed. */
  errors: unknown[];
  durationMs: number;
}

export interface ShutdownHandle {
  /** Starts shutdown now (as a signal would); every call returns the same result. */
  shutdown(signal?: NodeJS.Signals): Promise<ShutdownResult>;
  /** Takes the signal handlers off (and stops following the HTTP servers). Safe to call twice. */
  remove(): void;
  readonly state: 'installed' | 'shutting-down' | 'done' | 'removed';
}

const DEFAULT_TIMEOUT_MS = 10_000;
const KEYS = ['signals', 'timeoutMs', 'stop', 'exit', 'logger'];
const checkTimeout = duration('above 0');

/**
 * SIGTERM / SIGINT → stop new work, let the work in flight finish within the deadline, close
 * everything, exit with a clear code. In order: the `stop` list (HTTP servers stop accepting and
 * answer what they accepted), then every target's `close({ drain: true })` with what is left of
 * the deadline (queued and in-flight database work is served, the rest rejected). A second signal
 * forces the exit. havuz itself never calls process.exit: pass `exit`, or let the loop end.
 */
export function installShutdownHandlers(target: Closable | readonly Closable[], options: ShutdownOptions = {}): ShutdownHandle {
  const targets = checkTargets(target);
  const o = checkOptions(options);
  const stoppings = o.stop.map((s, i) => stoppingOf(s, i));
  let state: ShutdownHandle['state'] = 'installed';
  let running: Promise<ShutdownResult> | undefined;

  const remove = (): void => {
    for (const signal of o.signals) process.off(signal, onSignal);
    for (const s of stoppings) s.detach();
    if (state === 'installed') state = 'removed';
  };

  const force = (signal: NodeJS.Signals): void => {
    const code = 128 + (constants.signals[signal] ?? 0);
    log(o.logger, 'warn', { signal, code }, `havuz: ${signal} again during shutdown: forcing exit (${code})`);
    remove();
    state = 'done';
    if (o.exit !== undefined) o.exit(code);
    else process.kill(process.pid, signal); // our handler is off: the signal's default action ends the process
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (running === undefined) void shutdown(signal);
    else force(signal);
  }

  const shutdown = (signal?: NodeJS.Signals): Promise<ShutdownResult> => {
    if (state === 'removed') return Promise.reject(new InvalidOptionError('state', state, 'installed handlers (remove() was called)'));
    running ??= run(signal).then((result) => {
      if (state === 'done') return result; // forced meanwhile
      remove();
      state = 'done';
      log(o.logger, result.code === 0 ? 'info' : 'warn', { ...result, errors: result.errors.map(messageOf) }, `havuz: shutdown ${result.code === 0 ? 'complete' : 'incomplete'} in ${Math.round(result.durationMs)} ms (exit code ${result.code})`);
      if (o.exit !== undefined) o.exit(result.code);
      else process.exitCode = result.code;
      return result;
    });
    return running;
  };

  const run = async (signal: NodeJS.Signals | undefined): Promise<ShutdownResult> => {
    state = 'shutting-down';
    const started = performance.now();
    log(o.logger, 'info', { signal, timeoutMs: o.timeoutMs }, `havuz: ${signal ?? 'shutdown'}: stopping new work, finishing what is in flight (deadline ${o.timeoutMs} ms)`);
    const errors: unknown[] = [];
    const left = (): number => Math.max(0, o.timeoutMs - (performance.now() - started));
    const stopped = await withinDeadline(Promise.all(stoppings.map((s) => s.stop().catch((e: unknown) => void errors.push(e)))), left());
    if (!stopped) for (const s of stoppings) s.cut();
    const rest = stopped ? left() : 0; // the deadline passed (the timer, not a clock reading, says so)
    const closes = targets.map((t) => t.close({ drain: true, timeoutMs: rest }).catch((e: unknown) => void errors.push(e)));
    // close() resolves at its deadline by itself; this bound only covers a target that does not.
    const closed = await withinDeadline(Promise.all(closes), rest + 1_000);
    // A drain that reached its deadline resolves like one that finished; only the time tells them apart.
    const timedOut = !stopped || !closed || performance.now() - started >= o.timeoutMs;
    return { code: errors.length === 0 && !timedOut ? 0 : 1, signal, timedOut, errors, durationMs: performance.now() - started };
  };

  for (const signal of o.signals) process.on(signal, onSignal);
  return {
    shutdown,
    remove,
    get state() {
      return state;
    },
  };
}

/** True when `work` settles within `ms`, false when the deadline comes first. */
function withinDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void work.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function checkTargets(target: Closable | readonly Closable[]): Closable[] {
  const list = Array.isArray(target) ? [...(target as readonly Closable[])] : [target as Closable];
  list.forEach((t, i) => {
    if (typeof (t as Partial<Closable> | undefined)?.close !== 'function') {
      throw new InvalidOptionError(Array.isArray(target) ? `target[${i}]` : 'target', t, 'something with close(): a manager, an engine, a pool');
    }
  });
  return list;
}

function checkOptions(options: ShutdownOptions): Required<Omit<ShutdownOptions, 'exit' | 'logger'>> & Pick<ShutdownOptions, 'exit' | 'logger'> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', options, 'an object');
  for (const key of Object.keys(options)) if (!KEYS.includes(key)) throw new InvalidOptionError(key, (options as Record<string, unknown>)[key], `no such option; use ${KEYS.join(', ')}`);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  if (!Array.isArray(signals) || signals.length === 0) throw new InvalidOptionError('signals', signals, 'a non-empty array of signal names');
  for (const s of signals) if (typeof s !== 'string' || !(s in constants.signals)) throw new InvalidOptionError('signals', s, "signal names such as 'SIGTERM'");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const expected = checkTimeout(timeoutMs);
  if (expected !== undefined || timeoutMs === Infinity) throw new InvalidOptionError('timeoutMs', timeoutMs, expected ?? 'a finite number of milliseconds');
  const stop = options.stop ?? [];
  if (!Array.isArray(stop)) throw new InvalidOptionError('stop', stop, 'an array of HTTP servers, apps with close() or functions');
  if (options.exit !== undefined && typeof options.exit !== 'function') throw new InvalidOptionError('exit', options.exit, 'a function (code) => void, such as process.exit');
  const logger = options.logger === undefined ? undefined : assertLogger('logger', options.logger);
  return { signals, timeoutMs, stop, exit: options.exit, logger };
}
