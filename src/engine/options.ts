import { InvalidOptionError } from '../core/errors.js';
import { duration, isPlainObject, ownOptions, POOL_OPTION_NAMES, type PoolOptions } from '../core/options.js';
import { closestName } from '../core/suggest.js';
import type { EchoOption, EchoPoolOption } from './echo.js';
import type { InitContext } from './factory.js';

export type PoolClass = 'queue' | 'null' | 'static' | 'context' | 'assertion';

export interface EngineOptions extends PoolOptions {
  /** queue (default), null (connect per checkout), static (one shared connection; the default for SQLite memory), context, assertion. */
  poolClass?: PoolClass;
  /** Statements run on every new connection, e.g. `SET timezone='UTC'`. */
  initSql?: string | readonly string[];
  /** Runs on every new connection, after initSql. */
  init?: (connection: InitContext) => Promise<void> | void;
  /** Cancel any statement that runs longer than this (server-side cancel; the connection is dropped if it does not stop within 2 s more). */
  statementTimeoutMs?: number;
  /** Recycle a connection after this many queries (asyncpg `max_queries`); 0 = unlimited. */
  maxQueries?: number;
  /** On return, discard all session state (DISCARD ALL / COM_RESET_CONNECTION), not only roll back. */
  fullReset?: boolean;
  /** Log every statement with its duration and row count to `logger` (at debug; parameters only with `{ params: true }`). */
  echo?: EchoOption;
  /** Log every pool event (connect, checkout, checkin, close, ...) to `logger`, at debug. */
  echoPool?: EchoPoolOption;
  /**
   * Passed to the driver's client or connection constructor untouched, over what the URL gives
   * (SQLAlchemy's connect_args): pg `ssl` objects, `types`, `binary`, `statement_timeout`,
   * `query_timeout`, `Client` (pg.native.Client); mysql2 `ssl`, `typeCast`, `socketPath`, ...
   */
  connectArgs?: Readonly<Record<string, unknown>>;
  /**
   * Pipeline autocommit `engine.query` statements (PostgreSQL with pg >= 8.23): several in flight
   * per connection, each its own implicit transaction. Off by default (see the README for why);
   * `true` for the defaults, or `{ depth, stallMs }`. Transactions, `connect()` and statements
   * that touch session state keep a connection of their own.
   */
  pipeline?: boolean | PipelineOption;
}

export interface PipelineOption {
  /** Statements in flight on one connection, at most (default 16). */
  depth?: number;
  /**
   * A connection whose oldest statement has run this long takes no more, and a statement queued
   * this long behind it moves to a connection of its own (default 100 ms).
   */
  stallMs?: number;
}

export const PIPELINE_DEFAULTS: Readonly<Required<PipelineOption>> = { depth: 16, stallMs: 100 };

/** The `pipeline` option as settings, or undefined when it is off. */
export function pipelineSettings(option: EngineOptions['pipeline']): Required<PipelineOption> | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { ...PIPELINE_DEFAULTS };
  return { ...PIPELINE_DEFAULTS, ...Object.fromEntries(ownOptions('pipeline', option, PIPELINE_KEYS)) };
}

/** The engine's own option names (the rest are the pool core's). */
export const ENGINE_KEYS = ['poolClass', 'initSql', 'init', 'statementTimeoutMs', 'maxQueries', 'fullReset', 'echo', 'echoPool', 'connectArgs', 'pipeline'] as const;
const PIPELINE_KEYS = ['depth', 'stallMs'];
const POOL_CLASSES: readonly PoolClass[] = ['queue', 'null', 'static', 'context', 'assertion'];

/** Pool options that hold objects or functions: code only, never the URL. */
const CODE_ONLY = new Set(['logger', 'clock', 'random', 'init', 'initSql', 'connectArgs']);

/**
 * How a query-string value becomes an option, for SQLAlchemy's names (what the seed's users
 * type: `?pool_size=20&max_overflow=10&pool_timeout=30&pool_recycle=1800&pool_pre_ping=true`)
 * and asyncpg's `poolSize`. SQLAlchemy's times are seconds, and its pool_recycle -1 means never.
 */
const URL_ALIASES: Record<string, { option: keyof EngineOptions; convert?: (n: number) => number }> = {
  poolSize: { option: 'size' },
  pool_size: { option: 'size' },
  max_overflow: { option: 'maxOverflow' },
  pool_timeout: { option: 'acquireTimeoutMs', convert: (s) => s * 1_000 },
  pool_recycle: { option: 'maxLifetimeMs', convert: (s) => (s < 0 ? 0 : s * 1_000) },
  pool_pre_ping: { option: 'prePing' },
};

/** Every name the query string may carry for havuz (the rest go to the driver). */
export const URL_KEYS: ReadonlySet<string> = new Set([
  ...POOL_OPTION_NAMES.filter((k) => !CODE_ONLY.has(k)),
  ...ENGINE_KEYS.filter((k) => !CODE_ONLY.has(k)),
  ...Object.keys(URL_ALIASES),
]);

const STRING_VALUED = new Set(['poolClass', 'name', 'order']);

/**
 * The options an engine runs with: the URL's havuz keys (typed by the option they name, aliases
 * resolved), then the options object over them. Either may misspell a key: an unknown option
 * name in the object, or a URL parameter that is neither the driver's nor havuz's but close to a
 * havuz name (`?poolsize=20`), is an error naming it and what it was probably meant to be.
 */
export function engineOptions(fromUrl: Record<string, string>, options: unknown, driverParams: Record<string, string>, driverKnows: ReadonlySet<string>): EngineOptions {
  for (const key of Object.keys(driverParams)) {
    if (driverKnows.has(key)) continue;
    const near = closestName(key, URL_KEYS);
    if (near !== undefined) throw new InvalidOptionError(key, driverParams[key], `no such URL parameter; did you mean ${near}?`);
  }
  const merged: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [key, raw] of Object.entries(fromUrl)) {
    const alias = Object.hasOwn(URL_ALIASES, key) ? URL_ALIASES[key] : undefined;
    const option = alias?.option ?? key;
    if (Object.hasOwn(from, option)) {
      throw new InvalidOptionError(key, raw, `one spelling per option in the URL (${from[option]} sets ${option} already)`);
    }
    from[option] = key;
    let value = urlValue(key, option, raw);
    if (alias?.convert !== undefined && typeof value === 'number') value = alias.convert(value);
    merged[option] = value;
  }
  for (const [key, value] of ownOptions('options', options, [...POOL_OPTION_NAMES, ...ENGINE_KEYS])) merged[key] = value;
  checkEngineOptions(merged as EngineOptions);
  return merged as EngineOptions;
}

/** Splits options into the engine's own and the pool's. */
export function splitOptions(all: EngineOptions): { engine: EngineOptions; pool: PoolOptions } {
  const engine: Record<string, unknown> = {};
  const pool: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if ((ENGINE_KEYS as readonly string[]).includes(key)) engine[key] = value;
    else pool[key] = value;
  }
  return { engine: engine as EngineOptions, pool: pool as PoolOptions };
}

/** Query-string values arrive as strings; type them by the option they name. */
function urlValue(key: string, option: string, value: string): unknown {
  if (STRING_VALUED.has(option)) return value;
  if ((option === 'echo' || option === 'echoPool') && value !== 'true' && value !== 'false') return value; // a level name
  if (value === 'true' || value === 'false') return value === 'true';
  const n = value === 'Infinity' ? Infinity : Number(value);
  if (value.trim() === '' || Number.isNaN(n)) throw new InvalidOptionError(key, value, 'a number (in the URL)');
  return n;
}

const statementTimeout = duration('above 0');

function checkEngineOptions(o: EngineOptions): void {
  if (o.poolClass !== undefined && !POOL_CLASSES.includes(o.poolClass)) {
    throw new InvalidOptionError('poolClass', o.poolClass, POOL_CLASSES.map((c) => `"${c}"`).join(', '));
  }
  if (o.initSql !== undefined && typeof o.initSql !== 'string' && !(Array.isArray(o.initSql) && o.initSql.every((s) => typeof s === 'string'))) {
    throw new InvalidOptionError('initSql', o.initSql, 'a string or an array of strings');
  }
  if (o.init !== undefined && typeof o.init !== 'function') throw new InvalidOptionError('init', o.init, 'a function');
  if (o.statementTimeoutMs !== undefined) {
    const expected = statementTimeout(o.statementTimeoutMs);
    if (expected !== undefined) throw new InvalidOptionError('statementTimeoutMs', o.statementTimeoutMs, expected);
  }
  if (o.maxQueries !== undefined && !(Number.isInteger(o.maxQueries) && o.maxQueries >= 0)) {
    throw new InvalidOptionError('maxQueries', o.maxQueries, 'a whole number >= 0');
  }
  if (o.fullReset !== undefined && typeof o.fullReset !== 'boolean') throw new InvalidOptionError('fullReset', o.fullReset, 'true or false');
  if (o.connectArgs !== undefined && !isPlainObject(o.connectArgs)) throw new InvalidOptionError('connectArgs', o.connectArgs, 'a plain object of driver options');
  if (o.pipeline !== undefined) checkPipeline(o.pipeline, o.poolClass);
}

const stallTime = duration('above 0');

function checkPipeline(pipeline: unknown, poolClass: PoolClass | undefined): void {
  if (typeof pipeline !== 'boolean' && !isPlainObject(pipeline)) throw new InvalidOptionError('pipeline', pipeline, 'true, false or { depth, stallMs }');
  if (pipeline !== false && poolClass !== undefined && poolClass !== 'queue') {
    throw new InvalidOptionError('pipeline', pipeline, `false with poolClass "${poolClass}": only the queue pool shares connections between statements`);
  }
  if (typeof pipeline === 'boolean') return;
  const given = Object.fromEntries(ownOptions('pipeline', pipeline, PIPELINE_KEYS)) as PipelineOption;
  if (given.depth !== undefined && !(Number.isInteger(given.depth) && given.depth >= 1 && given.depth <= 1_000)) {
    throw new InvalidOptionError('pipeline.depth', given.depth, 'a whole number from 1 to 1000');
  }
  if (given.stallMs !== undefined) {
    const expected = stallTime(given.stallMs);
    if (expected !== undefined) throw new InvalidOptionError('pipeline.stallMs', given.stallMs, expected);
  }
}
