import { inspect } from 'node:util';
import { systemClock, type Clock } from '../core/clock.js';
import { InvalidOptionError, messageOf } from '../core/errors.js';
import { log } from '../core/log.js';
import type { PoolEventMap, PoolEventName } from '../core/events.js';
import { defaults as poolDefaults, type PoolOptions } from '../core/options.js';
import { Pool, type AcquireOptions, type CloseOptions, type ConnectionPool } from '../core/pool.js';
import { AssertionPool } from '../core/pools/assertion.js';
import { ContextPool } from '../core/pools/context.js';
import { NullPool } from '../core/pools/null.js';
import { StaticPool } from '../core/pools/static.js';
import { describeStatus, type PoolStatus } from '../core/stats.js';
import type { QueryResult, SqlDialect } from '../drivers/dialect.js';
import { dialectFor } from '../drivers/index.js';
import { Connection, type ConnectionContext } from './connection.js';
import { echoPoolEvents, echoQueries, resolveEcho, type EchoOption, type EchoPoolOption } from './echo.js';
import { QueryObservers, type QueryEvent } from './query-events.js';
import { dialectFactory, type InitContext } from './factory.js';
import { parseDatabaseUrl } from './url.js';
import type { Dialect } from '../drivers/schemes.js';

export type PoolClass = 'queue' | 'null' | 'static' | 'context' | 'assertion';

export interface EngineOptions extends PoolOptions {
  /** queue (default), null (connect per checkout), static (one shared connection; the default for SQLite memory), context, assertion. */
  poolClass?: PoolClass;
  /** Statements run on every new connection, e.g. `SET timezone='UTC'`. */
  initSql?: string | readonly string[];
  /** Runs on every new connection, after initSql. */
  init?: (connection: InitContext) => Promise<void> | void;
  /** Cancel any statement that runs longer than this. */
  statementTimeoutMs?: number;
  /** Recycle a connection after this many queries (asyncpg `max_queries`); 0 = unlimited. */
  maxQueries?: number;
  /** On return, discard all session state (DISCARD ALL / COM_RESET_CONNECTION), not only roll back. */
  fullReset?: boolean;
  /** Log every statement with its duration and row count to `logger` (at debug; parameters only with `{ params: true }`). */
  echo?: EchoOption;
  /** Log every pool event (connect, checkout, checkin, close, ...) to `logger`, at debug. */
  echoPool?: EchoPoolOption;
}

/** The pool's events, and `query`: one per finished statement (what echo and the metrics read). */
export type EngineEventMap<C> = PoolEventMap<C> & { query: QueryEvent };

const ENGINE_KEYS = ['poolClass', 'initSql', 'init', 'statementTimeoutMs', 'maxQueries', 'fullReset', 'echo', 'echoPool'] as const;
const POOL_CLASSES: readonly PoolClass[] = ['queue', 'null', 'static', 'context', 'assertion'];
/** Option names accepted in a URL's query string; `poolSize` is SQLAlchemy's and asyncpg's spelling of size. */
const URL_KEYS = new Set<string>([
  ...Object.keys(poolDefaults),
  'housekeepingMs',
  'poolSize',
  'poolClass',
  'statementTimeoutMs',
  'maxQueries',
  'fullReset',
  'echo',
  'echoPool',
]);

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

  constructor(url: string, options: EngineOptions = {}) {
    const parsed = parseDatabaseUrl(url, URL_KEYS);
    const dialect = dialectFor(parsed.scheme) as SqlDialect<C>;
    const all = { ...fromUrl(parsed.options), ...options };
    const engineOptions: EngineOptions = {};
    const poolOptions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
      if ((ENGINE_KEYS as readonly string[]).includes(key)) (engineOptions as Record<string, unknown>)[key] = value;
      else poolOptions[key] = value;
    }
    checkEngineOptions(engineOptions);
    if (parsed.config.connectTimeoutMs === undefined && poolOptions.createTimeoutMs !== undefined) {
      parsed.config.connectTimeoutMs = poolOptions.createTimeoutMs as number;
    }
    poolOptions.name ??= defaultName(parsed.scheme, parsed.config.database ?? parsed.config.filename);
    const initSql = engineOptions.initSql;
    const factory = dialectFactory(dialect, parsed.config, {
      initSql: initSql === undefined ? [] : typeof initSql === 'string' ? [initSql] : initSql,
      init: engineOptions.init,
      fullReset: engineOptions.fullReset ?? false,
    });
    const logger = poolOptions.logger as EngineOptions['logger'];
    const echo = resolveEcho('echo', engineOptions.echo, logger);
    const echoPool = resolveEcho('echoPool', engineOptions.echoPool, logger);
    const poolClass = engineOptions.poolClass ?? (dialect.isSingleConnection(parsed.config) ? 'static' : 'queue');
    this.pool = makePool(poolClass, factory, poolOptions as PoolOptions);
    this.dialect = parsed.scheme;
    this.url = parsed.redacted;
    const poolName = this.pool.name;
    this.#queries = new QueryObservers((error) => log(logger, 'error', { pool: poolName, err: error }, `havuz: a query listener threw: ${messageOf(error)}`));
    if (echo !== undefined) echoQueries(this.#queries, logger!, echo);
    if (echoPool !== undefined) echoPoolEvents(this.pool, logger!, echoPool.level);
    this.#context = {
      dialect,
      statementTimeoutMs: engineOptions.statementTimeoutMs,
      queryOptions:
        engineOptions.statementTimeoutMs === undefined
          ? undefined
          : { timeoutMs: engineOptions.statementTimeoutMs, clock: (poolOptions.clock as Clock | undefined) ?? systemClock },
      maxQueries: engineOptions.maxQueries ?? 0,
      queryCounts: new WeakMap(),
      observers: this.#queries,
      poolName,
    };
  }

  /** Run one statement on a pooled connection. Parameters use the driver's placeholders ($1 or ?). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
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

  /** Check out a connection; release it, or use `await using conn = await engine.connect()`. */
  async connect(options?: AcquireOptions): Promise<Connection<C>> {
    return new Connection(await this.pool.acquire(options), this.#context);
  }

  /** Commit when `fn` returns, roll back and rethrow when it throws. Nested `tx.transaction` uses savepoints. */
  async transaction<R>(fn: (tx: Connection<C>) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    const connection = await this.connect(options);
    try {
      return await connection.transaction(fn);
    } finally {
      connection.release();
    }
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
    return this.pool.close(options);
  }

  /** Resolves once minIdle connections are open (asyncpg's `await create_pool(min_size=…)`); rejects with the connect error. */
  ready(): Promise<void> {
    return this.pool.ready();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  [inspect.custom](): string {
    return `Engine <${this.url}> (${describeStatus(this.status())})`;
  }

  toJSON(): object {
    return { dialect: this.dialect, url: this.url, status: this.status() };
  }
}

export function createEngine<C = unknown>(url: string, options?: EngineOptions): Engine<C> {
  return new Engine<C>(url, options);
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

/** Query-string values arrive as strings; type them by the option they name. */
function fromUrl(raw: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = key === 'poolSize' ? 'size' : key;
    if (name === 'poolClass' || name === 'name' || name === 'order') out[name] = value;
    else if ((name === 'echo' || name === 'echoPool') && value !== 'true' && value !== 'false') out[name] = value; // a level name
    else if (value === 'true' || value === 'false') out[name] = value === 'true';
    else {
      const n = value === 'Infinity' ? Infinity : Number(value);
      if (value.trim() === '' || Number.isNaN(n)) throw new InvalidOptionError(key, value, 'a number (in the URL)');
      out[name] = n;
    }
  }
  return out;
}

function checkEngineOptions(o: EngineOptions): void {
  if (o.poolClass !== undefined && !POOL_CLASSES.includes(o.poolClass)) {
    throw new InvalidOptionError('poolClass', o.poolClass, POOL_CLASSES.map((c) => `"${c}"`).join(', '));
  }
  if (o.initSql !== undefined && typeof o.initSql !== 'string' && !(Array.isArray(o.initSql) && o.initSql.every((s) => typeof s === 'string'))) {
    throw new InvalidOptionError('initSql', o.initSql, 'a string or an array of strings');
  }
  if (o.init !== undefined && typeof o.init !== 'function') throw new InvalidOptionError('init', o.init, 'a function');
  if (o.statementTimeoutMs !== undefined && !(typeof o.statementTimeoutMs === 'number' && o.statementTimeoutMs > 0 && Number.isFinite(o.statementTimeoutMs))) {
    throw new InvalidOptionError('statementTimeoutMs', o.statementTimeoutMs, 'a finite number of milliseconds > 0');
  }
  if (o.maxQueries !== undefined && !(Number.isInteger(o.maxQueries) && o.maxQueries >= 0)) {
    throw new InvalidOptionError('maxQueries', o.maxQueries, 'a whole number >= 0');
  }
  if (o.fullReset !== undefined && typeof o.fullReset !== 'boolean') throw new InvalidOptionError('fullReset', o.fullReset, 'true or false');
}

function defaultName(scheme: Dialect, database: string | undefined): string {
  return database === undefined ? scheme : `${scheme}:${database}`;
}
