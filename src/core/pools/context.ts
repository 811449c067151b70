import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoolEventMap, PoolEventName } from '../events.js';
import type { Factory } from '../factory.js';
import { Lease, releaseOwned, returnLease, useLease, type LeaseOwner, type LeaseTarget } from '../lease.js';
import type { PoolOptions } from '../options.js';
import { Pool, type AcquireOptions, type CloseOptions, type ConnectionPool } from '../pool.js';
import type { PoolStatus } from '../stats.js';

interface Scope<T> {
  inner: Promise<Lease<T>> | undefined;
}

interface ScopedTarget<T> extends LeaseTarget<T> {
  readonly scope: Scope<T>;
}

/**
 * One connection per async context (the Node analogue of SQLAlchemy's SingletonThreadPool).
 * Inside `pool.scope(fn)`, every acquire, however deep in the call tree, gets the same
 * connection, so session state (temp tables, SET, advisory locks) follows the request. The
 * connection goes back to the underlying queue pool when `fn` settles. Outside a scope it
 * behaves as the queue pool.
 */
export class ContextPool<T> implements ConnectionPool<T>, LeaseOwner<T> {
  readonly name: string;
  readonly #pool: Pool<T>;
  readonly #storage = new AsyncLocalStorage<Scope<T>>();

  constructor(factory: Factory<T>, options?: PoolOptions) {
    this.#pool = new Pool(factory, options);
    this.name = this.#pool.name;
  }

  /** Run `fn` with one connection for all of it; a nested scope joins the outer one. */
  async scope<R>(fn: () => Promise<R> | R): Promise<R> {
    if (this.#storage.getStore() !== undefined) return fn();
    const scope: Scope<T> = { inner: undefined };
    try {
      return await this.#storage.run(scope, fn);
    } finally {
      const inner = await scope.inner?.catch(() => undefined);
      if (inner !== undefined && !inner.released) inner.release();
    }
  }

  acquire(options?: AcquireOptions): Promise<Lease<T>> {
    const scope = this.#storage.getStore();
    if (scope === undefined) return this.#pool.acquire(options);
    const inner = (scope.inner ??= this.#pool.acquire(options));
    inner.catch(() => {
      if (scope.inner === inner) scope.inner = undefined; // let the next acquire in the scope try again
    });
    return inner.then((lease) => {
      const target: ScopedTarget<T> = {
        id: lease.connectionId,
        // Read through the scope's lease, so a scoped lease kept past the scope's end (or past an
        // invalidate by a sibling) throws instead of reaching a connection someone else now holds.
        get connection() {
          return lease.connection;
        },
        scope,
      };
      return new Lease<T>(this, target);
    });
  }

  [returnLease](target: LeaseTarget<T>, invalidate: boolean, reason: unknown): void {
    // Releasing a scoped lease keeps the connection for the scope; invalidating ends it for everyone.
    if (!invalidate) return;
    const scope = (target as ScopedTarget<T>).scope;
    const inner = scope.inner;
    scope.inner = undefined;
    void inner?.then((lease) => {
      if (!lease.released) lease.invalidate(reason);
    });
  }

  use<R>(fn: (connection: T, lease: Lease<T>) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    return useLease(this.acquire(options), fn);
  }

  release(lease: Lease<T>): void {
    // Outside a scope a checkout is the queue pool's own lease: both are this pool's to take back.
    releaseOwned(lease, this.name, this, this.#pool);
  }

  status(): PoolStatus {
    return this.#pool.status();
  }

  on<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): () => void {
    return this.#pool.on(event, listener);
  }

  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): void {
    this.#pool.off(event, listener);
  }

  dispose(): Promise<void> {
    return this.#pool.dispose();
  }

  invalidateAll(options?: { soft?: boolean }): Promise<void> {
    return this.#pool.invalidateAll(options);
  }

  close(options?: CloseOptions): Promise<void> {
    return this.#pool.close(options);
  }
}
