import { inspect } from 'node:util';
import { systemClock, type Clock } from '../core/clock.js';
import { InvalidOptionError, messageOf } from '../core/errors.js';
import { log } from '../core/log.js';
import type { PoolEventMap, PoolEventName } from '../core/events.js';
import type { PoolOptions } from '../core/options.js';
import { Pool, type CloseOptions, type ConnectionPool } from '../core/pool.js';
import { AssertionPool } from '../core/pools/assertion.js';
import { ContextPool } from '../core/pools/context.js';
import { NullPool } from '../core/pools/null.js';
import { StaticPool } from '../core/pools/static.js';
import { describeStatus, type PoolStatus } from '../core/stats.js';
import type { ConnectionConfig, QueryResult, SqlDialect } from '../drivers/dialect.js';
import { dialectFor } from '../drivers/index.js';
import { Connection, type ConnectionContext } from './connection.js';
import { echoPoolEvents, echoQueries, resolveEcho } from './echo.js';
import { QueryObservers, type QueryEvent } from './query-events.js';
import { dialectFactory } from './factory.js';
import { acquireOptionsOf, readOnlyOf, type ConnectOptions, type RouteOptions, type TransactionOptions } from './routing.js';
import { parseDatabaseUrl } from './url.js';
import { engineOptions, pipelineSettings, splitOptions, URL_KEYS, type EngineOptions, type PoolClass } from './options.js';
import { Pipeline } from './pipeline.js';
import { connectConfig } from './internal.js';

export { ENGINE_KEYS, type EngineOptions, type PipelineOption, type PoolClass } from './options.js';
import type { Dialect } from '../drivers/schemes.js';

/** The pool's events, and `query`: one per finished statement (what echo and the metrics read). */
export type EngineEventMap<C> = PoolEventMap<C> & { query: QueryEvent };

/**
 * A database behind a pool: `createEngine(url)` once per database and process, then `query`,
 * `connect` and `transaction` wherever needed.
 */
export class Engine<C = unknown> {
  readonly dialect: Dialect;
  /** The URL with its password redacted. */
  readonly url: string;
  readonly pool: ConnectionPool<C>;
  readonly #context: ConnectionContext<C>;
  readonly #queries: QueryObservers;
  readonly #connectConfig: ConnectionConfig;
  /** Autocommit statements on shared pipelined connections, when the `pipeline` option is on and the driver can. */
  readonly #pipeline: Pipeline<C> | undefined;

  /**
   * `pool`, when given, is used instead of one built from the URL: the topology engine passes its
   * routing pool here, so a routed engine runs every statement through this same code.
   */
  constructor(url: string, options?: EngineOptions, pool?: ConnectionPool<C>) {
    const parsed = parseDatabaseUrl(url, URL_KEYS);
    const dialect = dialectFor(parsed.scheme) as SqlDialect<C>;
    const split = splitOptions(engineOptions(parsed.options, options, parsed.config.params, dialect.urlParams));
    const settings = split.engine;
    const poolOptions = split.pool as Record<string, unknown>;
    if (settings.connectArgs !== undefined) parsed.config.connectArgs = settings.connectArgs;
    this.#connectConfig = parsed.config;
    if (parsed.config.connectTimeoutMs === undefined && poolOptions.createTimeoutMs !== undefined) {
      parsed.config.connectTimeoutMs = poolOptions.createTimeoutMs as number;
    }
    poolOptions.name ??= defaultName(parsed.scheme, parsed.config.database ?? parsed.config.filename);
    const initSql = settings.initSql;
    const factory = dialectFactory(dialect, parsed.config, {
      initSql: initSql === undefined ? [] : typeof initSql === 'string' ? [initSql] : initSql,
      init: settings.init,
      fullReset: settings.fullReset ?? false,
    });
    const logger = poolOptions.logger as EngineOptions['logger'];
    const echo = resolveEcho('echo', settings.echo, logger);
    const echoPool = resolveEcho('echoPool', settings.echoPool, logger);
    const poolClass = settings.poolClass ?? (dialect.isSingleConnection(parsed.config) ? 'static' : 'queue');
    this.pool = pool ?? makePool(poolClass, factory, poolOptions as PoolOptions);
    this.dialect = parsed.scheme;
    this.url = parsed.redacted;
    const poolName = this.pool.name;
    this.#queries = new QueryObservers((error) => log(logger, 'error', { pool: poolName, err: error }, `havuz: a query listener threw: ${messageOf(error)}`));
    if (echo !== undefined) echoQueries(this.#queries, logger!, echo);
    if (echoPool !== undefined) echoPoolEvents(this.pool, logger!, echoPool.level);
    this.#context = {
      dialect,
      statementTimeoutMs: settings.statementTimeoutMs,
      queryOptions:
        settings.statementTimeoutMs === undefined
          ? undefined
          : { timeoutMs: settings.statementTimeoutMs, clock: (poolOptions.clock as Clock | undefined) ?? systemClock },
      maxQueries: settings.maxQueries ?? 0,
      queryCounts: new WeakMap(),
      observers: this.#queries,
      poolName,
    };
    const pipelining = pipelineSettings(settings.pipeline);
    // A routing pool (the topology engine's) hands out connections of several servers: not pipelined.
    this.#pipeline =
      pipelining !== undefined && pool === undefined && dialect.pipelining !== undefined
        ? new Pipeline(this.pool, this.#context, dialect.pipelining, pipelining, (sql, params) => this.#dedicated(sql, params))
        : undefined;
  }

  /**
   * Run one statement on a pooled connection. Parameters use the driver's placeholders ($1 or ?).
   * `{ readOnly: true }` sends it to a replica when the engine has one (this engine has one host).
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: RouteOptions): Promise<QueryResult<R>> {
    if (options !== undefined) {
      try {
        readOnlyOf(options);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#pipeline !== undefined) return this.#pipeline.query<R>(sql, params);
    return this.#dedicated<R>(sql, params);
  }

  /** One statement on a connection of its own: checked out for it, returned after it. */
  #dedicated<R>(sql: string, params: readonly unknown[] | undefined): Promise<QueryResult<R>> {
    // Promise chains rather than async/await: this is every query's path, and each async frame
    // costs a microtask hop and an allocation (pg.Pool's own path has none).
    return this.pool.acquire().then((lease) => {
      const connection = new Connection(lease, this.#context);
      return connection.query<R>(sql, params).then(
        (result) => {
          connection.release();
          return result;
        },
        (error: unknown) => {
          connection.release();
          throw error;
        },
      );
    });
  }

  /** @internal The pipeline dispatcher's counters and load, when the `pipeline` option is on: for tests and diagnosis. */
  pipelineStats(): (Pipeline<C>['counters'] & Pipeline<C>['stats']) | undefined {
    const p = this.#pipeline;
    return p === undefined ? undefined : { ...p.counters, ...p.stats };
  }

  /** Check out a connection; release it, or use `await using conn = await engine.connect()`. */
  async connect(options?: ConnectOptions): Promise<Connection<C>> {
    readOnlyOf(options);
    return new Connection(await this.pool.acquire(acquireOptionsOf(options)), this.#context);
  }

  /**
   * Commit when `fn` returns, roll back and rethrow when it throws. Nested `tx.transaction` uses
   * savepoints. `{ readOnly: true }` starts a read-only transaction (on a replica, when there is one).
   */
  async transaction<R>(fn: (tx: Connection<C>) => Promise<R> | R, options?: TransactionOptions): Promise<R> {
    // Checked before the checkout: a bad argument must not cost a connection.
    if (typeof fn !== 'function') throw new InvalidOptionError('fn', fn, 'a function (tx) => result');
    const readOnly = readOnlyOf(options);
    const connection = await this.connect(acquireOptionsOf(options));
    try {
      return await connection.transaction(fn, readOnly ? { readOnly } : undefined);
    } finally {
      connection.release();
    }
  }

  /** Resolves once minIdle connections are open (asyncpg's `await create_pool(min_size=…)`); rejects with the connect error. */
  ready(): Promise<void> {
    return this.pool.ready();
  }

  /** The engine for reads: a replica when the engine has one. A single-host engine is its own. */
  replica(): Engine<C> {
    return this;
  }

  status(): PoolStatus {
    return this.pool.status();
  }

  /** A pool event, or `query` (one per finished statement); returns the unsubscribe. */
  on<K extends PoolEventName | 'query'>(event: K, listener: (payload: EngineEventMap<C>[K]) => void): () => void {
    if (event === 'query') {
      if (typeof listener !== 'function') throw new InvalidOptionError('listener', listener, 'a function');
      return this.#queries.on(listener as (e: QueryEvent) => void);
    }
    return this.pool.on(event as PoolEventName, listener as (payload: PoolEventMap<C>[PoolEventName]) => void);
  }

  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<C>[K]) => void): void {
    this.pool.off(event, listener);
  }

  /** Close idle connections now, recycle checked-out ones on return; the engine stays usable. */
  dispose(): Promise<void> {
    return this.pool.dispose();
  }

  close(options?: CloseOptions): Promise<void> {
    // First: statements queued for a lane become checkouts queued before the close (served when
    // draining, refused when not, as any queued checkout); lanes finish what they carry and go back.
    this.#pipeline?.stop();
    return this.pool.close(options);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal What the driver connects with, password included: for the drop-in facades' `options`. */
  [connectConfig](): Readonly<ConnectionConfig> {
    return this.#connectConfig;
  }

  [inspect.custom](): string {
    return `Engine <${this.url}> (${describeStatus(this.status())})`;
  }

  toJSON(): object {
    return { dialect: this.dialect, url: this.url, status: this.status() };
  }
}

function makePool<C>(poolClass: PoolClass, factory: ReturnType<typeof dialectFactory<C>>, options: PoolOptions): ConnectionPool<C> {
  switch (poolClass) {
    case 'queue':
      return new Pool(factory, options);
    case 'null':
      return new NullPool(factory, options);
    case 'context':
      return new ContextPool(factory, options);
    case 'assertion':
      return new AssertionPool(factory, options);
    case 'static':
      // One shared connection: sizing and timing options have nothing to act on.
      return new StaticPool(factory, options);
  }
}

function defaultName(scheme: Dialect, database: string | undefined): string {
  return database === undefined ? scheme : `${scheme}:${database}`;
}
