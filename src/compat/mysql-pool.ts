import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { DriverMissingError, InvalidOptionError, PoolClosedError } from '../core/errors.js';
import type { ConnectionPool } from '../core/pool.js';
import { describeStatus } from '../core/stats.js';
import type { MysqlConnection } from '../drivers/mysql/dialect.js';
import { popCallback } from '../drivers/node-callback.js';
import { createEngine } from '../engine/create.js';
import { Engine, type EngineOptions } from '../engine/engine.js';
import { fail, settle, type NodeCallback } from './callbacks.js';
import { InFlight } from './in-flight.js';
import { asMysqlPoolError } from './errors.js';
import { fromMysqlPoolConfig, type MysqlPoolConfig } from './mysql-config.js';
import { MysqlViews, type MysqlCheckout, type MysqlPoolConnection } from './mysql-connection.js';
import { MysqlPromisePool } from './mysql-promise-pool.js';

type GetConnectionCallback = (error: Error | null, connection?: MysqlPoolConnection) => void;

/**
 * mysql2's pool (`mysql.createPool(config)`) over a havuz engine: built from exactly what
 * createPool takes, with mysql2's API (`getConnection` with a callback, `query`, `execute`, `end`,
 * `promise()` for mysql2/promise's pool) and events (`connection`, `acquire`, `enqueue`,
 * `release`), and every statement run through the engine's connection. Errors are mysql2's own
 * (`havuzErrorOf(err)` reads havuz's coded one). `getConnection()` without a callback resolves to
 * mysql2/promise's connection, as the promise pool's does.
 */
export class MysqlPool extends EventEmitter {
  readonly engine: Engine<MysqlConnection>;
  readonly #pool: ConnectionPool<MysqlConnection>;
  readonly #ownsEngine: boolean;
  readonly #views = new MysqlViews();
  readonly #inFlight = new InFlight();
  readonly #waitForConnections: boolean;
  #closed = false;

  constructor(config?: MysqlPoolConfig);
  constructor(url: string, options?: EngineOptions);
  constructor(engine: Engine);
  constructor(source?: MysqlPoolConfig | string | Engine, options?: EngineOptions) {
    super();
    const settings = source instanceof Engine || typeof source === 'string' ? undefined : fromMysqlPoolConfig(source);
    this.#waitForConnections = settings?.waitForConnections ?? true;
    if (source instanceof Engine) {
      this.engine = source as Engine<MysqlConnection>;
      this.#ownsEngine = false;
    } else {
      this.engine = settings === undefined ? createEngine(source as string, options) : createEngine('mysql://', settings.engineOptions);
      this.#ownsEngine = true;
    }
    if (this.engine.dialect !== 'mysql') throw new InvalidOptionError('engine', this.engine.url, 'a MySQL or MariaDB engine');
    this.#pool = this.engine.pool;
    this.#pool.on('connect', ({ connection }) => this.emit('connection', this.#views.views(connection).callback));
  }

  getConnection(): Promise<MysqlPoolConnection>;
  getConnection(callback: GetConnectionCallback): void;
  getConnection(callback?: GetConnectionCallback): Promise<MysqlPoolConnection> | void {
    if (this.#closed) return fail(this.#closedError(), callback as NodeCallback | undefined);
    const checkout = this.#checkout().then((c) => (callback === undefined ? c.promise : c.callback));
    return settle(checkout, callback as NodeCallback | undefined, { ok: (connection) => [null, connection], failed: (error) => [error] });
  }

  /** `query(sql | options, values?, callback?)`: one statement on a pooled connection; without a callback, a promise of `[rows, fields]`. */
  query(sql: unknown, values?: unknown): Promise<[any, any]>;
  query(sql: unknown, callback: (error: any, rows?: any, fields?: any) => void): void;
  query(sql: unknown, values: unknown, callback: (error: any, rows?: any, fields?: any) => void): void;
  query(...args: unknown[]): Promise<unknown> | void {
    return this.#run('query', args);
  }

  execute(sql: unknown, values?: unknown): Promise<[any, any]>;
  execute(sql: unknown, callback: (error: any, rows?: any, fields?: any) => void): void;
  execute(sql: unknown, values: unknown, callback: (error: any, rows?: any, fields?: any) => void): void;
  execute(...args: unknown[]): Promise<unknown> | void {
    return this.#run('execute', args);
  }

  /** Stop taking work, let what is queued and checked out finish, then close every connection. */
  end(callback?: (error?: Error | null) => void): Promise<void> {
    this.#closed = true;
    // An engine handed in belongs to its creator: only this pool's work is waited for, and only idle connections go.
    const work = this.#ownsEngine ? this.engine.close({ drain: true, timeoutMs: Infinity }) : this.#inFlight.settled().then(() => this.engine.dispose());
    if (callback === undefined) return work;
    return work.then(
      () => callback(null),
      (error: Error) => callback(error),
    );
  }

  /** mysql2/promise's pool over this one: `query`/`execute` resolve to `[rows, fields]`, `getConnection()` to a promise connection. */
  promise(): MysqlPromisePool {
    return new MysqlPromisePool(this);
  }

  escape(value: unknown): string {
    return mysql2Sync().escape(value);
  }

  escapeId(value: string): string {
    return mysql2Sync().escapeId(value);
  }

  format(sql: string, values?: unknown): string {
    return mysql2Sync().format(sql, values);
  }

  #checkout(): Promise<MysqlCheckout> {
    const { idle, size, connecting, max, pending } = this.#pool.status();
    // mysql2 says 'enqueue' when a request has to wait: nothing idle, no room to open more, and the queue has room.
    if (idle === 0 && size + connecting >= max && pending < this.#pool.options.maxWaiters) this.emit('enqueue');
    this.#inFlight.begin();
    return this.engine.connect().then(
      (connection) => {
        const checkout = this.#views.checkOut(connection, (c, destroy) => {
          if (destroy) c.connection.invalidate(new Error('destroyed by its user'));
          else c.connection.release();
          this.#inFlight.done();
          this.emit('release', c.callback);
        });
        this.emit('acquire', checkout.callback);
        return checkout;
      },
      (error: unknown) => {
        this.#inFlight.done();
        throw asMysqlPoolError(error, this.#waitForConnections);
      },
    );
  }

  #run(method: 'query' | 'execute', args: unknown[]): Promise<unknown> | void {
    const callback = popCallback(args);
    if (this.#closed) return fail(this.#closedError(), callback);
    const work = this.#checkout().then(
      (checkout) =>
        new Promise<unknown[]>((resolve, reject) => {
          const done = (error: unknown, ...results: unknown[]): void => {
            checkout.release(false);
            if (error) reject(error);
            else resolve(results);
          };
          try {
            checkout.connection.native(`callback.${method}`, [...args, done]);
          } catch (error) {
            done(error);
          }
        }),
    );
    if (callback === undefined) return work;
    settle(work, callback, { ok: (results) => [null, ...results], failed: (error) => [error] });
  }

  #closedError(): unknown {
    return asMysqlPoolError(new PoolClosedError(this.#pool.name), true);
  }

  [inspect.custom](): string {
    return `MysqlPool <${this.engine.url}> (${describeStatus(this.engine.status())}${this.#closed ? ', closed' : ''})`;
  }
}

interface SqlString {
  escape(value: unknown): string;
  escapeId(value: string): string;
  format(sql: string, values?: unknown): string;
}

/** mysql2's own escaping, loaded synchronously (mysql2 is CommonJS), so it matches what mysql2 itself sends. */
function mysql2Sync(): SqlString {
  try {
    return createRequire(import.meta.url)('mysql2') as SqlString;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') throw new DriverMissingError('mysql2', 'mysql');
    throw error;
  }
}
