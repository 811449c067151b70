import { ConcurrentCheckoutError, InvalidOptionError } from '../errors.js';
import type { Factory } from '../factory.js';
import { returnLease, type Lease, type LeaseTarget } from '../lease.js';
import type { PoolOptions } from '../options.js';
import { Pool, type AcquireOptions } from '../pool.js';

/**
 * At most one checkout at a time (SQLAlchemy's AssertionPool): a debugging pool that turns "two
 * parts of my code hold a connection at once" into an error naming where the first one was taken.
 */
export class AssertionPool<T> extends Pool<T> {
  #holder: string | undefined;

  constructor(factory: Factory<T>, options?: PoolOptions) {
    for (const [key, allowed] of [['size', 1], ['maxOverflow', 0]] as const) {
      const value = options?.[key];
      if (value !== undefined && value !== allowed) throw new InvalidOptionError(key, value, `${allowed} (AssertionPool holds one connection)`);
    }
    super(factory, options, { defaults: { size: 1, maxOverflow: 0 }, trackStacks: true });
  }

  override acquire(options?: AcquireOptions): Promise<Lease<T>> {
    if (this.#holder !== undefined) return Promise.reject(new ConcurrentCheckoutError(this.name, this.#holder));
    this.#holder = new Error('checkout').stack?.split('\n').slice(2).join('\n') ?? '(no stack)';
    return super.acquire(options).catch((error: unknown) => {
      this.#holder = undefined;
      throw error;
    });
  }

  override [returnLease](target: LeaseTarget<T>, invalidate: boolean, reason: unknown): void {
    this.#holder = undefined;
    super[returnLease](target, invalidate, reason);
  }
}
