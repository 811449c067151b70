import type { Lease } from '../core/lease.js';
import type { QueryOptions, QueryResult, SqlDialect } from '../drivers/dialect.js';
import { ConnectionLostError, DatabaseError, InvalidOptionError, StatementTimeoutError } from '../core/errors.js';
import type { QueryObservers } from './query-events.js';
import { readOnlyOf, type RouteOptions } from './routing.js';
import { describeNative } from './native-statement.js';

/** What a Connection needs from its engine: shared per-engine state, not per checkout. */
export interface ConnectionContext<C> {
  readonly dialect: SqlDialect<C>;
  readonly statementTimeoutMs: number | undefined;
  /** What every query passes to the dialect: the statement deadline on the pool's clock; built once per engine. */
  readonly queryOptions: QueryOptions | undefined;
  /** asyncpg's max_queries: recycle a connection after this many queries; 0 = unlimited. */
  readonly maxQueries: number;
  readonly queryCounts: WeakMap<object, number>;
  /** echo, metrics and tracers; read once per statement. */
  readonly observers: QueryObservers;
  readonly poolName: string;
}

/** A driver's error as havuz's type: StatementTimeoutError, ConnectionLostError or DatabaseError. */
export function classifyError(dialect: Pick<SqlDialect<unknown>, 'isTimeout' | 'isConnectionLost' | 'errorCode'>, error: unknown, timeoutMs: number | undefined): Error {
  if (dialect.isTimeout(error)) return error instanceof StatementTimeoutError ? error : new StatementTimeoutError({ cause: error, serverCode: dialect.errorCode(error), timeoutMs });
  if (dialect.isConnectionLost(error)) return new ConnectionLostError(error);
  return new DatabaseError(error, dialect.errorCode(error));
}

export type Queryable = Pick<Connection<unknown>, 'query' | 'transaction'>;

/**
 * One checked-out connection. `query` maps driver errors to havuz's types; a lost connection is
 * invalidated on release instead of going back to the pool. Nested `transaction` calls use
 * savepoints.
 */
export class Connection<C = unknown> implements AsyncDisposable {
  readonly #lease: Lease<C>;
  readonly #context: ConnectionContext<C>;
  #lost: unknown = undefined;
  #depth = 0;

  constructor(lease: Lease<C>, context: ConnectionContext<C>) {
    this.#lease = lease;
    this.#context = context;
  }

  /** The driver's own connection (pg.Client, mysql2 Connection, better-sqlite3 Database). */
  get raw(): C {
    return this.#lease.connection;
  }

  get released(): boolean {
    return this.#lease.released;
  }

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    // Echo, metrics and tracers: one field read when nobody listens.
    return this.#context.observers.active ? this.#observed<R>(sql, params) : this.#run<R>(sql, params);
  }

  #run<R>(sql: string, params: readonly unknown[] | undefined): Promise<QueryResult<R>> {
    // Not async: one .then instead of an async frame on every query (this is the hot path).
    let running: Promise<QueryResult<R>>;
    try {
      // A driver would throw its own untyped TypeError (or run "undefined" as SQL): say what was wrong.
      if (typeof sql !== 'string') throw new InvalidOptionError('sql', sql, 'a SQL string');
      if (params !== undefined && !Array.isArray(params)) throw new InvalidOptionError('params', params, 'an array of parameter values, or undefined');
      const raw = this.#lease.connection; // throws once released
      const { dialect, queryOptions, maxQueries, queryCounts } = this.#context;
      if (maxQueries > 0) queryCounts.set(raw as object, (queryCounts.get(raw as object) ?? 0) + 1);
      running = dialect.query<R>(raw, sql, params, queryOptions);
    } catch (error) {
      return Promise.reject(error);
    }
    return running.then(undefined, (error: unknown) => {
      throw this.#classify(error);
    });
  }

  /** Off the hot path: only when someone listens does a statement read the clock. */
  #observed<R>(sql: string, params: readonly unknown[] | undefined): Promise<QueryResult<R>> {
    const { observers, poolName: pool } = this.#context;
    const started = performance.now();
    const running = this.#run<R>(sql, params);
    running.then(
      (result) => observers.emit({ pool, sql, params, durationMs: performance.now() - started, rowCount: result.rowCount, error: undefined }),
      (error: unknown) => observers.emit({ pool, sql, params, durationMs: performance.now() - started, rowCount: undefined, error }),
    );
    return running;
  }

  /**
   * One of the driver's own query calls on this connection, as code written for the driver makes
   * it (pg's `query(text | config | cursor, values?, callback?)`, mysql2's `query`/`execute`), with
   * the engine's bookkeeping: the statement deadline (with pg's server-side cancel), the query
   * count for maxQueries, echo, metrics and tracers, and a lost connection retired on release.
   * Returns what the driver returns; its results and errors are its own (a StatementTimeoutError
   * rides on the driver's error: havuzErrorOf). How the drop-in facades run every statement.
   */
  native(method: string, args: unknown[]): unknown {
    const raw = this.#lease.connection; // throws once released
    const { dialect, queryOptions, maxQueries, queryCounts, observers, poolName: pool } = this.#context;
    if (dialect.native === undefined) throw new TypeError(`The ${dialect.name} dialect has no native query path`);
    if (maxQueries > 0) queryCounts.set(raw as object, (queryCounts.get(raw as object) ?? 0) + 1);
    const started = observers.active ? performance.now() : 0;
    return dialect.native(raw, method, args, queryOptions, (error, rowCount) => {
      if (error !== undefined && dialect.isConnectionLost(error)) this.#lost ??= error;
      if (started === 0) return;
      const { sql, params } = describeNative(args);
      observers.emit({ pool, sql, params, durationMs: performance.now() - started, rowCount: error === undefined ? rowCount : undefined, error });
    });
  }

  #classify(error: unknown): Error {
    const { dialect } = this.#context;
    // A timeout may also have cost the connection (the driver dropped it); both facts matter.
    if (dialect.isConnectionLost(error)) this.#lost = error;
    return classifyError(dialect, error, this.#context.statementTimeoutMs);
  }

  /**
   * Runs `fn` in a transaction: commit on return, roll back and rethrow on any throw. Nested calls
   * use savepoints. `readOnly` starts a transaction the server refuses to write in.
   */
  async transaction<R>(fn: (tx: Connection<C>) => Promise<R> | R, options?: RouteOptions): Promise<R> {
    const { sql } = this.#context.dialect;
    const depth = this.#depth;
    const savepoint = `havuz_sp_${depth}`;
    if (typeof fn !== 'function') throw new InvalidOptionError('fn', fn, 'a function (tx) => result');
    const readOnly = readOnlyOf(options);
    if (readOnly && depth > 0) throw new InvalidOptionError('readOnly', true, 'false inside a transaction: a savepoint cannot change it');
    await this.query(depth === 0 ? this.#begin(readOnly) : sql.savepoint(savepoint));
    this.#depth++;
    try {
      const result = await fn(this);
      await this.query(depth === 0 ? sql.commit : sql.releaseSavepoint(savepoint));
      return result;
    } catch (error) {
      if (this.#lost === undefined) {
        try {
          await this.query(depth === 0 ? sql.rollback : sql.rollbackToSavepoint(savepoint));
        } catch {
          // The rollback itself failed: the session state is unknown, so the connection must not be reused.
          this.#lost ??= new Error('rollback failed');
        }
      }
      throw error;
    } finally {
      this.#depth = depth;
    }
  }

  #begin(readOnly: boolean): string {
    const { sql, name } = this.#context.dialect;
    if (!readOnly) return sql.begin;
    if (sql.beginReadOnly === undefined) throw new InvalidOptionError('readOnly', true, `false: ${name} has no read-only transactions`);
    return sql.beginReadOnly;
  }

  /** Give the connection back; a lost one, or one past maxQueries, is closed instead. */
  release(): void {
    const raw = this.#lease.connection;
    const { maxQueries, queryCounts } = this.#context;
    if (this.#lost !== undefined) this.#lease.invalidate(this.#lost);
    else if (this.#depth > 0) this.#lease.invalidate(new Error('released inside a transaction'));
    else if (maxQueries > 0 && (queryCounts.get(raw as object) ?? 0) >= maxQueries) this.#lease.invalidate('max queries');
    else this.#lease.release();
  }

  /** Close the connection instead of returning it: its session state is unknown or it is broken (pg-pool's `release(err)`). */
  invalidate(reason?: unknown): void {
    this.#lease.invalidate(reason);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#lease.released) this.release();
  }
}
