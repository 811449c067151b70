import { InvalidOptionError } from '../core/errors.js';
import type { EngineOptions } from '../engine/engine.js';
import { checkDriverOptions, checkNoConflicts, checks, facadeHousekeepingMs, splitHavuzOptions } from './havuz-options.js';

/** mysql2's pool options (createPool), with mysql2's defaults. */
export interface MysqlPoolOwnOptions {
  /** Wait for a free connection (true, the default) or fail at once. */
  waitForConnections?: boolean;
  /** Most connections open at once; default 10, 0 = no limit. */
  connectionLimit?: number;
  /** Idle connections kept; default connectionLimit. */
  maxIdle?: number;
  /** Close idle connections above maxIdle after this long, in ms; default 60 000. */
  idleTimeout?: number;
  /** Most waiting getConnection calls; default 0 = no limit. */
  queueLimit?: number;
  /** COM_RESET_CONNECTION on every release; default false. */
  resetOnRelease?: boolean;
}

type Renamed = 'size' | 'maxOverflow' | 'idleTimeoutMs' | 'maxWaiters' | 'fullReset' | 'connectArgs';

/**
 * What mysql2's `createPool(config)` takes: its pool options, every connection option (passed to
 * mysql2's connection untouched: host, user, password, socketPath, ssl, typeCast, timezone, ...)
 * and havuz's own options for what mysql2 lacks (prePing, statementTimeoutMs, acquireTimeoutMs, ...).
 */
export type MysqlPoolConfig = MysqlPoolOwnOptions & Omit<EngineOptions, Renamed> & { [connectionOption: string]: unknown };

const ownChecks = {
  waitForConnections: checks.boolean,
  connectionLimit: checks.count,
  maxIdle: checks.count,
  idleTimeout: checks.duration,
  queueLimit: checks.count,
  resetOnRelease: checks.boolean,
};

const renamed = [
  ['connectionLimit', 'size'],
  ['maxIdle', 'size'],
  ['idleTimeout', 'idleTimeoutMs'],
  ['queueLimit', 'maxWaiters'],
  ['waitForConnections', 'maxWaiters'],
  ['resetOnRelease', 'fullReset'],
] as const;

/** How MysqlPool is built from a createPool config. */
export interface MysqlPoolSettings {
  engineOptions: EngineOptions;
  /** false: a request that would wait fails at once ('No connections available.'). */
  waitForConnections: boolean;
}

/**
 * mysql2's pool semantics in havuz's terms: connections up to maxIdle are the pool's size, the rest
 * up to connectionLimit are overflow (closed when idle), an idle timeout only when maxIdle is below
 * connectionLimit (mysql2 runs none otherwise), no wait deadline (mysql2 has none), and its queue
 * rules as the most waiters (which, as in mysql2, counts only requests waiting for a busy
 * connection).
 */
export function fromMysqlPoolConfig(config: MysqlPoolConfig = {}): MysqlPoolSettings {
  if (typeof config !== 'object' || config === null) throw new InvalidOptionError('config', config, 'a mysql2 pool config object');
  const { havuz, rest } = splitHavuzOptions(config);
  checkDriverOptions(rest, ownChecks);
  if (havuz.connectArgs !== undefined) throw new InvalidOptionError('connectArgs', havuz.connectArgs, 'no connectArgs: give mysql2 connection options at the top level, as with createPool');
  checkNoConflicts(rest, havuz, renamed);
  const limit = (rest.connectionLimit as number | undefined) ?? 10;
  const maxIdle = Math.min((rest.maxIdle as number | undefined) ?? limit, limit === 0 ? Infinity : limit);
  const idleCapped = limit === 0 || maxIdle < limit;
  const size = Math.max(1, idleCapped ? maxIdle : limit);
  const idleTimeoutMs = idleCapped ? ((rest.idleTimeout as number | undefined) ?? 60_000) : 0;
  const connectArgs: Record<string, unknown> = {};
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(rest))) {
    if (!Object.hasOwn(ownChecks, key)) Object.defineProperty(connectArgs, key, descriptor);
  }
  const engineOptions: EngineOptions = {
    size,
    maxOverflow: limit === 0 ? Infinity : limit - size,
    idleTimeoutMs,
    maxWaiters: rest.waitForConnections === false ? 0 : (rest.queueLimit as number | undefined) || Infinity,
    acquireTimeoutMs: Infinity,
    // A connect that fails fails the request waiting for it, as in mysql2.
    failFastAfterMs: 0,
    createTimeoutMs: (rest.connectTimeout as number | undefined) ?? 10_000,
    fullReset: (rest.resetOnRelease as boolean | undefined) ?? false,
    maxLifetimeMs: 0,
    maxConnecting: limit === 0 ? 10 : limit,
    housekeepingMs: facadeHousekeepingMs([idleTimeoutMs, havuz.leakDetectionMs ?? 0, havuz.maxLifetimeMs ?? 0]),
    ...havuz,
    connectArgs,
  };
  return { engineOptions, waitForConnections: rest.waitForConnections !== false };
}
