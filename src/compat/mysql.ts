import { EventEmitter } from 'node:events';
import type { Lease } from '../core/lease.js';
import { releasedTwice } from './released-twice.js';
import { endEngine, nodeify, onPooledConnection, popCallback, type NodeCallback } from './shared.js';
import type { ConnectionPool } from '../core/pool.js';
import { isMysqlConnectionClosed, mysqlDialect, type MysqlConnection } from '../drivers/mysql/dialect.js';
import { createEngine } from '../engine/create.js';
import type { Engine, EngineOptions } from '../engine/engine.js';

/** What a checkout hands out: mysql2's own connection object, with `release()` as mysql2's pool adds it. */
interface Releasable {
  release?: () => void;
  query(...args: unknown[]): unknown;
}

/**
 * A mysql2 pool look-alike over a havuz engine. `getConnection(cb)` hands out mysql2's callback
 * connection (what Kysely's MysqlDialect uses); `getConnection()` without a callback resolves to
 * mysql2/promise's connection (Drizzle, plain mysql2/promise code). `query`/`execute` run one
 * statement on a pooled connection, with mysql2's `[rows, fields]` result shape.
 */
export class MysqlPool extends EventEmitter {
  readonly engine: Engine;
  readonly #pool: ConnectionPool<MysqlConnection>;
  readonly #ownsEngine: boolean;

  constructor(engineOrUrl: Engine | string, options?: EngineOptions) {
    super();
    this.#ownsEngine = typeof engineOrUrl === 'string';
    this.engine = typeof engineOrUrl === 'string' ? createEngine(engineOrUrl, options) : engineOrUrl;
    if (this.engine.dialect !== 'mysql') throw new TypeError(`MysqlPool needs a MySQL/MariaDB engine, got ${this.engine.dialect}`);
    this.#pool = this.engine.pool as ConnectionPool<MysqlConnection>;
    this.#pool.on('connect', (e) => this.emit('connection', e.connection));
    this.#pool.on('checkout', (e) => this.emit('acquire', e.connection));
    this.#pool.on('checkin', (e) => this.emit('release', e.connection));
  }

  getConnection(): Promise<unknown>;
  getConnection(callback: (error: Error | null, connection?: unknown) => void): void;
  getConnection(callback?: (error: Error | null, connection?: unknown) => void): Promise<unknown> | void {
    const promiseStyle = callback === undefined;
    const checkout = this.#pool.acquire().then((lease) => {
      const raw = lease.connection as unknown as Releasable & { connection: Releasable };
      return withRelease(lease, promiseStyle ? raw : raw.connection);
    });
    return nodeify(checkout, callback as NodeCallback | undefined);
  }

  /** One statement on a pooled connection, with mysql2's `[rows, fields]` result (spread for callbacks). */
  query(...args: unknown[]): Promise<unknown> | void {
    return this.#run('query', args);
  }

  execute(...args: unknown[]): Promise<unknown> | void {
    return this.#run('execute', args);
  }

  #run(method: 'query' | 'execute', args: unknown[]): Promise<unknown> | void {
    const callback = popCallback(args);
    const run = onPooledConnection(this.#pool, mysqlDialect.isConnectionLost, (connection) =>
      (connection as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args),
    );
    return nodeify(run, callback, (result) => result as unknown[]);
  }

  end(callback?: (error?: Error) => void): Promise<void> {
    return endEngine(this.engine, this.#ownsEngine, callback);
  }
}

function withRelease<C extends Releasable>(lease: Lease<MysqlConnection>, connection: C): C {
  connection.release = () => {
    connection.release = releasedTwice;
    // A dead connection must not go back; mysql2 marks it closed on a fatal error.
    if (isMysqlConnectionClosed(lease.connection)) lease.invalidate(new Error('connection closed'));
    else lease.release();
  };
  return connection;
}
