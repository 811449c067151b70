import { InvalidOptionError } from './errors.js';
import type { PoolEventMap, PoolEventName } from './events.js';
import type { Lease } from './lease.js';
import { duration, ownOptions, type PoolOptions, type ResolvedPoolOptions } from './options.js';
import type { PoolStatus } from './stats.js';

/** What every pool class offers and what its calls take, with the checks of what callers pass. */

export interface AcquireOptions {
  /** Abort the wait; the acquire rejects with HAVUZ_ACQUIRE_ABORTED and leaves no trace. */
  signal?: AbortSignal;
  /** Overrides the pool's acquireTimeoutMs for this call; Infinity: no limit. */
  timeoutMs?: number;
}

export interface CloseOptions {
  /** How long to wait for checked-out connections (and, draining, queued acquires) before closing them anyway. Default 10 s; Infinity: as long as it takes. */
  timeoutMs?: number;
  /**
   * false (default): queued acquires fail at once, checked-out connections are awaited.
   * true: queued acquires are still served and checked-out work finishes, until `timeoutMs`;
   * only acquires made after close() fail. What is left at the deadline fails with HAVUZ_POOL_DRAINING.
   */
  drain?: boolean;
}

/** What every pool class offers; code that takes a pool should take this. */
export interface ConnectionPool<T> {
  readonly name: string;
  readonly options: Readonly<ResolvedPoolOptions>;
  acquire(options?: AcquireOptions): Promise<Lease<T>>;
  use<R>(fn: (connection: T, lease: Lease<T>) => Promise<R> | R, options?: AcquireOptions): Promise<R>;
  release(lease: Lease<T>): void;
  status(): PoolStatus;
  on<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): () => void;
  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): void;
  /** Resolves once minIdle connections are open; rejects with the connect error when the database cannot be reached. */
  ready(): Promise<void>;
  dispose(): Promise<void>;
  invalidateAll(options?: { soft?: boolean }): Promise<void>;
  close(options?: CloseOptions): Promise<void>;
}

/** What a pool class passes to the scheduler: defaults that differ from the queue pool's (the user's options still win). */
export interface PoolClassSettings {
  defaults?: Partial<PoolOptions>;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
const acquireTimeout = duration('above 0', 'no limit');
const closeTimeout = duration(0, 'no limit');

export function checkFactory(factory: unknown): void {
  if (typeof factory !== 'object' || factory === null) throw new InvalidOptionError('factory', factory, 'an object');
  const f = factory as Record<string, unknown>;
  for (const method of ['create', 'destroy'] as const) {
    if (typeof f[method] !== 'function') throw new InvalidOptionError(`factory.${method}`, f[method], 'a function');
  }
  for (const method of ['validate', 'reset', 'init', 'activate', 'passivate'] as const) {
    if (f[method] !== undefined && typeof f[method] !== 'function') {
      throw new InvalidOptionError(`factory.${method}`, f[method], 'a function or undefined');
    }
  }
}

export function checkAcquireOptions(options: AcquireOptions | undefined): { timeoutMs: number | undefined; signal: AbortSignal | undefined } {
  const given = Object.fromEntries(ownOptions('acquire options', options, ['signal', 'timeoutMs']));
  const { timeoutMs, signal } = given as AcquireOptions;
  if (timeoutMs !== undefined) {
    const expected = acquireTimeout(timeoutMs);
    if (expected !== undefined) throw new InvalidOptionError('timeoutMs', timeoutMs, expected);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidOptionError('signal', signal, 'an AbortSignal');
  return { timeoutMs, signal };
}

export function checkCloseOptions(options: CloseOptions | undefined): { timeoutMs: number; drain: boolean } {
  const given = Object.fromEntries(ownOptions('close options', options, ['timeoutMs', 'drain'])) as CloseOptions;
  // undefined only: null is a wrong value, refused below, as acquire() refuses it.
  const timeoutMs = given.timeoutMs === undefined ? DEFAULT_CLOSE_TIMEOUT_MS : given.timeoutMs;
  const expected = closeTimeout(timeoutMs);
  if (expected !== undefined) throw new InvalidOptionError('timeoutMs', timeoutMs, expected);
  if (given.drain !== undefined && typeof given.drain !== 'boolean') throw new InvalidOptionError('drain', given.drain, 'true or false');
  return { timeoutMs, drain: given.drain === true };
}


export function checkInvalidateOptions(options: unknown): boolean {
  const given = Object.fromEntries(ownOptions('invalidateAll options', options, ['soft']));
  if (given.soft !== undefined && typeof given.soft !== 'boolean') throw new InvalidOptionError('soft', given.soft, 'true or false');
  return given.soft === true;
}
