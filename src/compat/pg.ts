import { EventEmitter } from 'node:events';
import type { Lease } from '../core/lease.js';
import { releasedTwice } from './released-twice.js';
import { endEngine, nodeify, onPooledConnection, popCallback, type NodeCallback } from './shared.js';
import type { ConnectionPool } from '../core/pool.js';
import { isPgClientClosed, postgresDialect, type PostgresConnection } from '../drivers/postgres/dialect.js';
import { createEngine } from '../engine/create.js';
import type { Engine, EngineOptions } from '../engine/engine.js';

/**
 * The checked-out client as callers see it: the real `pg.Client` (typed loosely, since `pg` is an
 * optional peer) plus pg-pool's `release(err?)`.
 */
export interface PgPoolClient {
  query(...args: any[]): any;
  release(error?: Error | boolean): void;
}
type PgClientLike = Omit<PgPoolClient, 'release'> & { release?: PgPoolClient['release'] };

/**
 * A `pg.Pool` look-alike over a havuz engine, so code written for node-postgres (Kysely's
 * PostgresDialect, Drizzle's node-postgres driver, Knex-style raw usage) runs on havuz unchanged:
 * `connect()` hands out the real `pg.Client` with a `release(err?)`, `query()` checks one out for
 * a single statement, and the counts and events have pg-pool's names. The class name contains
 * "Pool" on purpose: Drizzle detects a pool by it to run transactions on one client.
 *
 * Unlike pg-pool it has no `'error'` event that crashes the process when nobody listens: an idle
 * client error is forwarded only to existing `'error'` listeners.
 */
export class PgPool extends EventEmitter {
  readonly engine: Engine;
  readonly #pool: ConnectionPool<PostgresConnection>;
  readonly #ownsEngine: boolean;
  #ended = false;

  constructor(engineOrUrl: Engine | string, options?: EngineOptions) {
    super();
    this.#ownsEngine = typeof engineOrUrl === 'string';
    this.engine = typeof engineOrUrl === 'string' ? createEngine(engineOrUrl, options) : engineOrUrl;
    if (this.engine.dialect !== 'postgres') throw new TypeError(`PgPool needs a PostgreSQL engine, got ${this.engine.dialect}`);
    this.#pool = this.engine.pool as ConnectionPool<PostgresConnection>;
    this.#pool.on('connect', (e) => this.emit('connect', e.connection));
    this.#pool.on('checkout', (e) => this.emit('acquire', e.connection));
    this.#pool.on('checkin', (e) => this.emit('release', undefined, e.connection));
    this.#pool.on('close', () => this.emit('remove'));
    this.#pool.on('connection-error', (e) => {
      if (e.phase === 'idle' && this.listenerCount('error') > 0) this.emit('error', e.error);
    });
  }

  get totalCount(): number {
    return this.#pool.status().size;
  }

  get idleCount(): number {
    return this.#pool.status().idle;
  }

  get waitingCount(): number {
    return this.#pool.status().pending;
  }

  get expiredCount(): number {
    return 0;
  }

  get ending(): boolean {
    return this.#ended;
  }

  get ended(): boolean {
    return this.#ended;
  }

  connect(): Promise<PgPoolClient>;
  connect(callback: (error: Error | null | undefined, client?: PgPoolClient, done?: (error?: Error | boolean) => void) => void): void;
  connect(callback?: (error: Error | null | undefined, client?: PgPoolClient, done?: (error?: Error | boolean) => void) => void): Promise<PgPoolClient> | void {
    const checkout = this.#pool.acquire().then((lease) => withRelease(lease));
    return nodeify(checkout, callback as NodeCallback | undefined, (client) => [client, client.release]);
  }

  /** `query(text, values?, cb?)` or `query(config, cb?)`: one statement on a pooled client. */
  query(...args: unknown[]): Promise<unknown> | void {
    const callback = popCallback(args);
    const run = onPooledConnection(this.#pool, postgresDialect.isConnectionLost, (client) => (client as unknown as PgClientLike).query(...args));
    return nodeify(run, callback);
  }

  end(callback?: (error?: Error) => void): Promise<void> {
    this.#ended = true;
    return endEngine(this.engine, this.#ownsEngine, callback);
  }
}

/** Gives the real client pg-pool's `release(err?)`: a truthy error closes it instead of returning it. */
function withRelease(lease: Lease<PostgresConnection>): PgPoolClient {
  const client = lease.connection as unknown as PgClientLike;
  client.release = (error?: Error | boolean) => {
    client.release = releasedTwice;
    // A dead client must not go back even when the caller passes no error.
    if (error || isPgClientClosed(lease.connection)) lease.invalidate(error || new Error('connection closed'));
    else lease.release();
  };
  return client as PgPoolClient;
}
