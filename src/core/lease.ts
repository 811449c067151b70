import { LeaseError } from './errors.js';
/** What a lease points at: a pool entry, or whatever a pool class hands out instead. */
export interface LeaseTarget<T> {
  readonly id: number;
  readonly connection: T;
}

/** Symbol-keyed so the pool's return path is not part of its public surface. */
export const returnLease: unique symbol = Symbol('havuz.returnLease');

/** The part of a pool a lease calls back into. Internal: users only see Lease. */
export interface LeaseOwner<T> {
  readonly name: string;
  [returnLease](target: LeaseTarget<T>, invalidate: boolean, reason: unknown): void;
}

/**
 * One checkout of one connection. It can be released exactly once; after that every use throws,
 * so a stale reference cannot quietly run a query on a connection someone else now holds
 * (asyncpg's released-proxy rule).
 */
export class Lease<T> implements AsyncDisposable {
  #entry: LeaseTarget<T> | undefined;
  readonly #owner: LeaseOwner<T>;

  constructor(owner: LeaseOwner<T>, entry: LeaseTarget<T>) {
    this.#owner = owner;
    this.#entry = entry;
  }

  /** The driver's connection. Throws once the lease is released. */
  get connection(): T {
    if (this.#entry === undefined) throw released(this.#owner.name, 'use');
    return this.#entry.connection;
  }

  get released(): boolean {
    return this.#entry === undefined;
  }

  /** Id of the underlying pool entry; stable across checkouts of the same connection. */
  get connectionId(): number {
    if (this.#entry === undefined) throw released(this.#owner.name, 'use');
    return this.#entry.id;
  }

  /** Give the connection back. A second call throws: it would hide a double-free bug. */
  release(): void {
    const entry = this.#entry;
    if (entry === undefined) throw released(this.#owner.name, 'release');
    this.#entry = undefined;
    this.#owner[returnLease](entry, false, undefined);
  }

  /** Close the connection instead of returning it (it is broken, or its session state is unknown). */
  invalidate(reason?: unknown): void {
    const entry = this.#entry;
    if (entry === undefined) throw released(this.#owner.name, 'invalidate');
    this.#entry = undefined;
    this.#owner[returnLease](entry, true, reason ?? new Error('invalidated by the caller'));
  }

  /** `await using lease = await pool.acquire()` releases at the end of the block, once. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#entry !== undefined) this.release();
  }

  /** @internal the pool checks ownership before accepting a lease. */
  isOwnedBy(owner: LeaseOwner<T>): boolean {
    return this.#owner === owner;
  }
}

function released(pool: string, action: string): LeaseError {
  return new LeaseError('HAVUZ_LEASE_RELEASED', `Cannot ${action} a lease of pool "${pool}" after it was released`);
}

/** Where a checkout was asked for: the caller's stack, without this frame and the pool's. */
export function captureStack(skip = 0): string | undefined {
  return new Error('checkout').stack?.split('\n').slice(3 + skip).join('\n');
}

/** `pool.use(fn)` for every pool class: the lease goes back however `fn` ends. */
export async function useLease<T, R>(checkout: Promise<Lease<T>>, fn: (connection: T, lease: Lease<T>) => Promise<R> | R): Promise<R> {
  const lease = await checkout;
  try {
    return await fn(lease.connection, lease);
  } finally {
    if (!lease.released) lease.release();
  }
}

/** `pool.release(lease)` for every pool class: `lease.release()`, once the lease is known to be one of `owners`'. */
export function releaseOwned<T>(lease: Lease<T>, pool: string, ...owners: LeaseOwner<T>[]): void {
  if (!(lease instanceof Lease) || !owners.some((owner) => lease.isOwnedBy(owner))) {
    throw new LeaseError('HAVUZ_FOREIGN_LEASE', `That lease does not belong to pool "${pool}"`);
  }
  lease.release();
}
