import { AcquireAbortedError, CreateFailedError, InvalidOptionError, PoolClosedError, messageOf } from '../errors.js';
import { PoolEvents, type PoolEventMap, type PoolEventName } from '../events.js';
import type { Factory } from '../factory.js';
import { Lease, releaseOwned, returnLease, useLease, type LeaseOwner, type LeaseTarget } from '../lease.js';
import { log, type Logger } from '../log.js';
import type { AcquireOptions, ConnectionPool } from '../pool.js';
import { newCounters, type PoolStatus } from '../stats.js';

export interface StaticPoolOptions {
  name?: string;
  logger?: Logger;
}

let nextId = -1;

/**
 * One connection shared by every checkout at once (SQLAlchemy's StaticPool). For an in-memory
 * SQLite database, whose data lives only as long as its one connection, and for tests. Release
 * keeps the connection open; invalidate closes it and the next checkout opens a new one.
 */
export class StaticPool<T> implements ConnectionPool<T>, LeaseOwner<T> {
  readonly name: string;
  readonly #factory: Factory<T>;
  readonly #logger: Logger | undefined;
  readonly #events: PoolEvents<T>;
  readonly #counters = newCounters();
  #target: Promise<LeaseTarget<T>> | undefined;
  #open: LeaseTarget<T> | undefined;
  #inUse = 0;
  #closed = false;

  constructor(factory: Factory<T>, options: StaticPoolOptions = {}) {
    for (const key of Object.keys(options)) {
      if (key !== 'name' && key !== 'logger') throw new InvalidOptionError(key, (options as any)[key], 'name or logger (StaticPool has one connection)');
    }
    this.#factory = factory;
    this.name = options.name ?? 'havuz-static';
    this.#logger = options.logger;
    this.#events = new PoolEvents<T>((error) => log(this.#logger, 'error', { pool: this.name, err: error }, `havuz: a pool event listener threw: ${messageOf(error)}`));
  }

  async acquire(options?: AcquireOptions): Promise<Lease<T>> {
    if (this.#closed) throw new PoolClosedError(this.name);
    if (options?.signal?.aborted) throw new AcquireAbortedError(this.name, options.signal.reason);
    this.#target ??= this.#connect();
    const target = await this.#target;
    if (this.#closed) throw new PoolClosedError(this.name);
    this.#inUse++;
    this.#counters.acquired++;
    this.#events.emit('checkout', { pool: this.name, id: target.id, connection: target.connection, waitMs: 0 });
    return new Lease(this, target);
  }

  async #connect(): Promise<LeaseTarget<T>> {
    const controller = new AbortController();
    try {
      const target: LeaseTarget<T> = {
        id: nextId--,
        connection: await this.#factory.create({
          signal: controller.signal,
          onBroken: (error) => {
            this.#events.emit('connection-error', { pool: this.name, id: target.id, phase: 'idle', error });
            this.#drop(target, 'broken');
          },
        }),
      };
      await this.#factory.init?.(target.connection);
      this.#open = target;
      this.#counters.created++;
      this.#events.emit('connect', { pool: this.name, id: target.id, connection: target.connection, durationMs: 0 });
      return target;
    } catch (error) {
      this.#target = undefined;
      this.#counters.createErrors++;
      throw new CreateFailedError(this.name, error);
    }
  }

  use<R>(fn: (connection: T, lease: Lease<T>) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    return useLease(this.acquire(options), fn);
  }

  release(lease: Lease<T>): void {
    releaseOwned(lease, this.name, this);
  }

  [returnLease](target: LeaseTarget<T>, invalidate: boolean, reason: unknown): void {
    this.#inUse--;
    this.#counters.released++;
    this.#events.emit('checkin', { pool: this.name, id: target.id, connection: target.connection, heldMs: 0 });
    if (invalidate) {
      this.#events.emit('invalidate', { pool: this.name, id: target.id, reason });
      this.#drop(target, 'invalidated');
    }
  }

  #drop(target: LeaseTarget<T>, reason: 'invalidated' | 'broken' | 'dispose' | 'pool-closed'): Promise<void> {
    if (this.#open !== target) return Promise.resolve();
    this.#open = undefined;
    this.#target = undefined;
    this.#counters.destroyed++;
    this.#events.emit('close', { pool: this.name, id: target.id, reason });
    return Promise.resolve()
      .then(() => this.#factory.destroy(target.connection))
      .catch((error: unknown) => this.#events.emit('connection-error', { pool: this.name, id: target.id, phase: 'destroy', error }));
  }

  status(): PoolStatus {
    const size = this.#open === undefined ? 0 : 1;
    return {
      name: this.name,
      size,
      idle: this.#inUse === 0 ? size : 0,
      inUse: this.#inUse > 0 ? size : 0,
      overflow: 0,
      pending: 0,
      connecting: this.#target !== undefined && this.#open === undefined ? 1 : 0,
      max: 1,
      closed: this.#closed,
      counters: { ...this.#counters },
    };
  }

  on<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): void {
    this.#events.off(event, listener);
  }

  async dispose(): Promise<void> {
    if (this.#open !== undefined) await this.#drop(this.#open, 'dispose');
  }

  invalidateAll(): Promise<void> {
    return this.dispose();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#target;
    if (pending !== undefined) await pending.catch(() => undefined);
    if (this.#open !== undefined) await this.#drop(this.#open, 'pool-closed');
  }
}
