import { EventEmitter } from 'node:events';
import type { MysqlPool } from './mysql-pool.js';
import type { MysqlPoolConnection } from './mysql-connection.js';

const poolEvents = ['acquire', 'connection', 'enqueue', 'release'] as const;

/**
 * mysql2/promise's pool (what `pool.promise()` returns, and what Drizzle's mysql2 driver uses):
 * the same pool, with promises. Its events are the pool's, as mysql2 forwards them.
 */
export class MysqlPromisePool extends EventEmitter {
  readonly pool: MysqlPool;

  constructor(pool: MysqlPool) {
    super();
    this.pool = pool;
    for (const event of poolEvents) pool.on(event, (...args: unknown[]) => this.emit(event, ...args));
  }

  getConnection(): Promise<MysqlPoolConnection> {
    return this.pool.getConnection();
  }

  /** Resolves to `[rows, fields]`. */
  query(sql: unknown, values?: unknown): Promise<[unknown, unknown]> {
    return values === undefined ? this.pool.query(sql) : this.pool.query(sql, values);
  }

  execute(sql: unknown, values?: unknown): Promise<[unknown, unknown]> {
    return values === undefined ? this.pool.execute(sql) : this.pool.execute(sql, values);
  }

  releaseConnection(connection: MysqlPoolConnection): void {
    connection.release();
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  escape(value: unknown): string {
    return this.pool.escape(value);
  }

  escapeId(value: string): string {
    return this.pool.escapeId(value);
  }

  format(sql: string, values?: unknown): string {
    return this.pool.format(sql, values);
  }
}
