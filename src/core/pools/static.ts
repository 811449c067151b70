import type { PoolEntry } from '../entry.js';
import { InvalidOptionError } from '../errors.js';
import type { Factory } from '../factory.js';
import type { Lease } from '../lease.js';
import type { PoolOptions } from '../options.js';
import { Pool } from '../pool.js';

export type StaticPoolOptions = PoolOptions;

/** What sharing one connection fixes, and why. */
const FIXED: ReadonlyArray<readonly [keyof PoolOptions, unknown, string]> = [
  ['size', 1, 'StaticPool holds one connection'],
  ['maxOverflow', 0, 'StaticPool holds one connection'],
  ['maxUses', 0, 'recycling would close it under its other holders'],
  ['resetOnReturn', false, 'a rollback would hit its other holders'],
  ['prePing', false, 'it is shared while checked out'],
];

/**
 * One connection shared by every checkout at once (SQLAlchemy's StaticPool). For an in-memory
 * SQLite database, whose data lives only as long as its one connection, and for tests. Release
 * keeps the connection open; invalidate closes it once its last holder lets go, and the next
 * checkout opens a new one. Opening it is the scheduler's like any other pool's: create timeout,
 * backoff, init cleanup, acquire deadlines and abort, events and status.
 */
export class StaticPool<T> extends Pool<T> {
  #shared: PoolEntry<T> | undefined;

  constructor(factory: Factory<T>, options?: StaticPoolOptions) {
    for (const [key, allowed, why] of FIXED) {
      const value = (options as Record<string, unknown> | undefined)?.[key];
      if (value !== undefined && value !== allowed) throw new InvalidOptionError(key, value, `${String(allowed)} (${why})`);
    }
    // Lifetime and idle timeout stay off: closing an in-memory database's connection drops the database.
    super(factory, options, {
      defaults: { name: 'havuz-static', size: 1, maxOverflow: 0, idleTimeoutMs: 0, maxLifetimeMs: 0, resetOnReturn: false, prePing: false },
    });
  }

  /** While the connection is checked out and healthy, every acquire shares it at once. */
  protected override admit(): Lease<T> | Error | undefined {
    const entry = this.#shared;
    if (entry === undefined || entry.state !== 'leased' || entry.doomed !== undefined) return undefined;
    return this.share(entry);
  }

  /** The connection is free: every waiter gets it (they share it), else it goes idle. */
  protected override park(entry: PoolEntry<T>, now: number): void {
    this.#shared = entry;
    super.park(entry, now);
    while (entry.state === 'leased' && entry.doomed === undefined && this.serveNext(entry, now));
  }
}
