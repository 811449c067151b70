import { AsyncLocalStorage } from 'node:async_hooks';
import type { Factory } from '../factory.js';
import { Lease, returnLease, type LeaseTarget } from '../lease.js';
import type { PoolOptions } from '../options.js';
import { Pool, type AcquireOptions } from '../pool.js';

interface Scope<T> {
  inner: Promise<Lease<T>> | undefined;
}

/** What a lease taken inside a scope points at: the scope, which holds the real checkout. */
class ScopedTarget<T> implements LeaseTarget<T> {
  constructor(
    readonly id: number,
    readonly scope: Scope<T>,
    private readonly lease: Lease<T>,
  ) {}

  // Read through the scope's lease, so a scoped lease kept past the scope's end (or past an
  // invalidate by a sibling) throws instead of reaching a connection someone else now holds.
  get connection(): T {
    return this.lease.connection;
  }
}

/**
 * One connection per async context (the Node analogue of SQLAlchemy's SingletonThreadPool).
 * Inside `pool.scope(fn)`, every acquire, however deep in the call tree, gets the same
 * connection, so session state (temp tables, SET, advisory locks) follows the request. The
 * connection goes back to the pool when `fn` settles. Outside a scope it is the queue pool.
 */
export class ContextPool<T> extends Pool<T> {
  readonly #storage = new AsyncLocalStorage<Scope<T>>();

  constructor(factory: Factory<T>, options?: PoolOptions) {
    super(factory, options);
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

  override acquire(options?: AcquireOptions): Promise<Lease<T>> {
    const scope = this.#storage.getStore();
    if (scope === undefined) return super.acquire(options);
    const inner = (scope.inner ??= super.acquire(options));
    inner.catch(() => {
      if (scope.inner === inner) scope.inner = undefined; // let the next acquire in the scope try again
    });
    return inner.then((lease) => new Lease<T>(this, new ScopedTarget(lease.connectionId, scope, lease)));
  }

  override [returnLease](target: LeaseTarget<T>, invalidate: boolean, reason: unknown): void {
    if (!(target instanceof ScopedTarget)) {
      super[returnLease](target, invalidate, reason);
      return;
    }
    // Releasing a scoped lease keeps the connection for the scope; invalidating ends it for everyone.
    if (!invalidate) return;
    const scope = target.scope;
    const inner = scope.inner;
    scope.inner = undefined;
    void inner?.then((lease) => {
      if (!lease.released) lease.invalidate(reason);
    });
  }
}
