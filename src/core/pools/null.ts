import type { PoolEntry } from '../entry.js';
import { InvalidOptionError } from '../errors.js';
import type { Factory } from '../factory.js';
import type { PoolOptions } from '../options.js';
import { Pool } from '../pool.js';

/**
 * Opens a connection per checkout and closes it on release (SQLAlchemy's NullPool): the choice
 * for serverless functions and for a pooler such as PgBouncer in front. `size` still caps how
 * many are open at once, so a burst cannot exhaust the database's `max_connections`.
 */
export class NullPool<T> extends Pool<T> {
  constructor(factory: Factory<T>, options?: PoolOptions) {
    // Every idle connection it opened would be closed at once and opened again, without end.
    const minIdle = options?.minIdle;
    if (minIdle !== undefined && minIdle !== 0) throw new InvalidOptionError('minIdle', minIdle, '0 (NullPool keeps no idle connections)');
    super(factory, options, { defaults: { idleTimeoutMs: 0, maxLifetimeMs: 0, resetOnReturn: false } });
  }

  /** A used connection is closed, never handed on; a fresh one still serves the waiter it was opened for. */
  protected override park(entry: PoolEntry<T>, now: number): void {
    if (entry.uses === 0 && this.serveNext(entry, now)) return;
    this.retire(entry, 'not-retained');
  }
}
