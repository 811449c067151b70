import { ConcurrentCheckoutError, InvalidOptionError } from '../errors.js';
import type { Factory } from '../factory.js';
import { captureStack, type Lease } from '../lease.js';
import type { PoolOptions } from '../options.js';
import { Pool } from '../pool.js';

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
    super(factory, options, { defaults: { size: 1, maxOverflow: 0 } });
  }

  /** Refused while a checkout is held or on its way; otherwise this caller becomes the holder. */
  protected override admit(): Lease<T> | Error | undefined {
    if (this.outstanding > 0) return new ConcurrentCheckoutError(this.name, this.#holder);
    this.#holder = captureStack(1) ?? '(no stack)';
    return undefined;
  }
}
