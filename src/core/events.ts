import diagnostics from 'node:diagnostics_channel';
import { InvalidOptionError, messageOf } from './errors.js';
import { log, type Logger } from './log.js';

export type CloseReason =
  | 'idle-timeout'
  | 'max-lifetime'
  | 'max-uses'
  | 'overflow'
  | 'invalidated'
  | 'broken'
  | 'validation-failed'
  | 'reset-failed'
  | 'init-failed'
  | 'not-retained'
  | 'dispose'
  | 'pool-closed';

/** Where a background failure happened; `idle` and `in-use` are a connection dying on its own. */
export type ErrorPhase = 'create' | 'init' | 'validate' | 'reset' | 'destroy' | 'idle' | 'in-use' | 'listener';

/** A failed connect: opening the connection, or its init hook (both count as `createErrors`). */
export function isConnectPhase(phase: ErrorPhase): boolean {
  return phase === 'create' || phase === 'init';
}

/** One documented payload per event (SQLAlchemy's PoolEvents keep a method per event the same way). */
export interface PoolEventMap<T> {
  /** A new connection is open and initialised. */
  connect: { pool: string; id: number; connection: T; durationMs: number };
  /** A connection was handed to a caller. `waitMs` is 0 when it was idle. */
  checkout: { pool: string; id: number; connection: T; waitMs: number };
  /**
   * A caller gave its connection back. It fires as the lease is returned, before the reset and
   * before the connection is idle again: a `status()` read in a listener still counts it in use.
   */
  checkin: { pool: string; id: number; connection: T; heldMs: number };
  /** The factory's reset ran on return. */
  reset: { pool: string; id: number; connection: T };
  /**
   * A connection is being closed instead of reused: the caller invalidated it, its reset failed, or
   * invalidateAll() closed it. A failed ping, a broken connection and the other retirements show
   * only as `close`, with their reason.
   */
  invalidate: { pool: string; id: number; reason: unknown };
  /** invalidateAll({ soft: true }): connections are recycled on their next return or checkout. */
  'soft-invalidate': { pool: string; generation: number };
  /** A connection was closed. */
  close: { pool: string; id: number; reason: CloseReason };
  /** An acquire gave up: it waited `waitMs` (its acquire timeout) with `pending` others still waiting. */
  timeout: { pool: string; waitMs: number; pending: number };
  /** A checkout has been held longer than leakDetectionMs; `stack` is where it was acquired. */
  leak: { pool: string; id: number; heldMs: number; stack: string | undefined };
  /** Something failed in the background. Never fatal; never the process-crashing `'error'`. */
  'connection-error': { pool: string; id: number | undefined; phase: ErrorPhase; error: unknown };
}

export type PoolEventName = keyof PoolEventMap<unknown>;
type Listener<P> = (payload: P) => void;

/** Published on `havuz:pool:<event>` so tracers can subscribe without a reference to the pool. */
const channels = {} as Record<PoolEventName, diagnostics.Channel>;
for (const name of [
  'connect', 'checkout', 'checkin', 'reset', 'invalidate', 'soft-invalidate', 'close', 'timeout', 'leak', 'connection-error',
] as const) {
  channels[name] = diagnostics.channel(`havuz:pool:${name}`);
}
// The two events checked on every checkout and return, as module constants: named loads, no keyed lookups.
const checkoutChannel = channels.checkout;
const checkinChannel = channels.checkin;

export const channelNames = Object.fromEntries(Object.keys(channels).map((n) => [n, `havuz:pool:${n}`])) as Record<
  PoolEventName,
  string
>;

/**
 * What a pool tells the world: a small typed emitter, the diagnostics channels, and the logger.
 * Unlike EventEmitter it has no `'error'` event that crashes the process when nobody listens,
 * and a throwing listener is reported instead of breaking the pool.
 */
export class PoolEvents<T> {
  #listeners: { [K in PoolEventName]?: Listener<PoolEventMap<T>[K]>[] } = {};
  readonly #pool: string;
  readonly #logger: Logger | undefined;

  constructor(pool: string, logger: Logger | undefined) {
    this.#pool = pool;
    this.#logger = logger;
  }

  /** Something failed in the background: a `connection-error` event and a warning in the log. */
  report(phase: Exclude<ErrorPhase, 'listener'>, error: unknown, id: number | undefined): void {
    log(this.#logger, 'warn', { pool: this.#pool, phase, id, err: error }, `havuz: pool "${this.#pool}" ${phase} error: ${messageOf(error)}`);
    this.emit('connection-error', { pool: this.#pool, id, phase, error });
  }

  /** A checkout held past leakDetectionMs: a `leak` event and a warning with the acquirer's stack. */
  leaked(id: number, heldMs: number, stack: string | undefined): void {
    this.emit('leak', { pool: this.#pool, id, heldMs, stack });
    const ms = Math.round(heldMs);
    log(this.#logger, 'warn', { pool: this.#pool, id, heldMs: ms, stack }, `havuz: connection ${id} of pool "${this.#pool}" checked out for ${ms} ms; possible leak`);
  }

  /** A throwing listener is the user's bug: say so, but the pool goes on. */
  #listenerThrew(error: unknown): void {
    const message = `havuz: a pool event listener threw: ${messageOf(error)}`;
    if (this.#logger?.error !== undefined) log(this.#logger, 'error', { pool: this.#pool, err: error }, message);
    else process.emitWarning(message, 'HavuzWarning');
  }

  on<K extends PoolEventName>(event: K, listener: Listener<PoolEventMap<T>[K]>): () => void {
    if (typeof event !== 'string' || !Object.hasOwn(channels, event)) throw new InvalidOptionError('event', event, Object.keys(channels).join(', '));
    if (typeof listener !== 'function') throw new InvalidOptionError('listener', listener, 'a function');
    // Copy on write: emit iterates a snapshot, so listeners may remove themselves safely.
    this.#listeners[event] = [...(this.#listeners[event] ?? []), listener] as any;
    return () => this.off(event, listener);
  }

  off<K extends PoolEventName>(event: K, listener: Listener<PoolEventMap<T>[K]>): void {
    const list = this.#listeners[event];
    if (list === undefined) return;
    const i = list.indexOf(listener);
    if (i === -1) return;
    const next = list.slice(0, i).concat(list.slice(i + 1));
    this.#listeners[event] = (next.length === 0 ? undefined : next) as any;
  }

  wantsCheckout(): boolean {
    return this.#listeners.checkout !== undefined || checkoutChannel.hasSubscribers;
  }

  wantsCheckin(): boolean {
    return this.#listeners.checkin !== undefined || checkinChannel.hasSubscribers;
  }

  /** True when someone listens, here or on the diagnostics channel; lets hot paths skip building payloads. */
  wants(event: PoolEventName): boolean {
    return this.#listeners[event] !== undefined || channels[event].hasSubscribers;
  }

  emit<K extends PoolEventName>(event: K, payload: PoolEventMap<T>[K]): void {
    const list = this.#listeners[event];
    if (list !== undefined) {
      for (const listener of list) {
        try {
          listener(payload);
        } catch (error) {
          this.#listenerThrew(error);
        }
      }
    }
    const channel = channels[event];
    if (channel.hasSubscribers) channel.publish(payload);
  }
}
