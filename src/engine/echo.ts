import { InvalidOptionError, messageOf } from '../core/errors.js';
import type { PoolEventMap, PoolEventName } from '../core/events.js';
import { LOG_LEVELS, log, type Logger, type LogLevel } from '../core/log.js';
import type { ConnectionPool } from '../core/pool.js';
import type { QueryObservers } from './query-events.js';

/**
 * SQLAlchemy's `echo`: log every statement with its duration and row count. `true` logs at
 * debug; a level name picks another; parameters are logged only with `{ params: true }`, since
 * they are where user data and secrets travel.
 */
export type EchoOption = boolean | LogLevel | { level?: LogLevel; params?: boolean };
/** SQLAlchemy's `echo_pool`: log every pool event (connect, checkout, checkin, close, ...), at debug unless told. */
export type EchoPoolOption = boolean | LogLevel;

export interface EchoSettings {
  level: LogLevel;
  params: boolean;
}

const EXPECTED_ECHO = 'true, false, a level (debug, info, warn, error) or { level, params }';

/** Checks `echo` / `echoPool` (from code or a URL) and resolves it; undefined when off. */
export function resolveEcho(option: 'echo' | 'echoPool', value: unknown, logger: Logger | undefined): EchoSettings | undefined {
  let settings: EchoSettings | undefined;
  if (value === undefined || value === false) return undefined;
  if (value === true) settings = { level: 'debug', params: false };
  else if (typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value)) settings = { level: value as LogLevel, params: false };
  else if (option === 'echo' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { level = 'debug', params = false, ...rest } = value as { level?: unknown; params?: unknown };
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new InvalidOptionError(`echo.${unknown}`, (rest as Record<string, unknown>)[unknown], 'level or params');
    if (!(LOG_LEVELS as readonly unknown[]).includes(level)) throw new InvalidOptionError('echo.level', level, LOG_LEVELS.join(', '));
    if (typeof params !== 'boolean') throw new InvalidOptionError('echo.params', params, 'true or false');
    settings = { level: level as LogLevel, params };
  } else {
    throw new InvalidOptionError(option, value, option === 'echo' ? EXPECTED_ECHO : 'true, false or a level (debug, info, warn, error)');
  }
  // Echo with nowhere to write would be a switch that silently does nothing.
  if (logger === undefined) throw new InvalidOptionError(option, value, `a logger option beside it (${option} writes to the logger, e.g. pino)`);
  return settings;
}

/** Logs each statement the engine runs; returns the unsubscribe. The message is the SQL itself. */
export function echoQueries(observers: QueryObservers, logger: Logger, settings: EchoSettings): () => void {
  return observers.on((e) => {
    const fields: Record<string, unknown> = { pool: e.pool, durationMs: round(e.durationMs), rowCount: e.rowCount };
    if (settings.params && e.params !== undefined) fields.params = e.params;
    if (e.error !== undefined) fields.err = errorFields(e.error);
    log(logger, settings.level, fields, e.sql);
  });
}

const POOL_EVENTS: readonly PoolEventName[] = [
  'connect', 'checkout', 'checkin', 'reset', 'invalidate', 'soft-invalidate', 'close', 'leak', 'connection-error',
];

/** Logs every pool event at `level`; returns the unsubscribe. */
export function echoPoolEvents(pool: ConnectionPool<unknown>, logger: Logger, level: LogLevel, events: readonly PoolEventName[] = POOL_EVENTS): () => void {
  const offs = events.map((event) =>
    pool.on(event, (payload: PoolEventMap<unknown>[typeof event]) => log(logger, level, poolEventFields(event, payload), `havuz: pool ${event}`)),
  );
  return () => {
    for (const off of offs) off();
  };
}

/**
 * The loggable part of a pool event. Never the payload itself: it carries the driver's
 * connection object, whose config holds the password.
 */
export function poolEventFields<K extends PoolEventName>(event: K, payload: PoolEventMap<unknown>[K]): Record<string, unknown> {
  const p = payload as Partial<PoolEventMap<unknown>[PoolEventName]> & Record<string, unknown>;
  const fields: Record<string, unknown> = { event, pool: p.pool };
  if (p.id !== undefined) fields.id = p.id;
  for (const key of ['durationMs', 'waitMs', 'heldMs'] as const) {
    if (typeof p[key] === 'number') fields[key] = round(p[key] as number);
  }
  if (event === 'close') fields.reason = p.reason;
  if (event === 'invalidate') fields.reason = messageOf(p.reason);
  if (event === 'soft-invalidate') fields.generation = p.generation;
  if (event === 'leak') fields.stack = p.stack;
  if (event === 'connection-error') {
    fields.phase = p.phase;
    fields.err = errorFields(p.error);
  }
  return fields;
}

function errorFields(error: unknown): Record<string, unknown> {
  const e = error as { code?: unknown; serverCode?: unknown; name?: unknown };
  return { type: typeof e?.name === 'string' ? e.name : typeof error, code: e?.code, serverCode: e?.serverCode, message: messageOf(error) };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
