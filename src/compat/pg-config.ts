import { inspect, type InspectOptions } from 'node:util';
import { InvalidOptionError } from '../core/errors.js';
import { redactUrl } from '../engine/redact.js';
import { MAX_TIMER_MS } from '../core/timeouts.js';
import type { EngineOptions } from '../engine/engine.js';
import { checkDriverOptions, checkNoConflicts, checks, facadeHousekeepingMs, splitHavuzOptions } from './havuz-options.js';

/** A pg.Client class, or a pg-compatible one (pg.native.Client, a subclass, a test double). */
export type PgClientClass = new (config: any) => any;

/** pg-pool's own options, as node-postgres documents them, with pg's defaults. */
export interface PgPoolOwnOptions {
  /** Most clients open at once; default 10. (`poolSize` is its old name.) */
  max?: number;
  poolSize?: number;
  /** Idle clients the idle timeout leaves open; default 0. */
  min?: number;
  /** Close a client idle this long; default 10 000, 0 = never. */
  idleTimeoutMillis?: number;
  /** How long connect() may wait for a client (and one connect may take); default 0 = no limit. */
  connectionTimeoutMillis?: number;
  /** Close a client after this many checkouts; default Infinity. */
  maxUses?: number;
  /** Close a client this many seconds after it connected; default 0 = never. */
  maxLifetimeSeconds?: number;
  /** Let the process exit while clients are idle; default false. */
  allowExitOnIdle?: boolean;
  /** pg-pool's debug log: called with a message and details. */
  log?: (...messages: unknown[]) => void;
  /** The client class; default pg.Client. */
  Client?: PgClientClass;
  /** The promise class connect(), query() and end() return; default the global Promise. */
  Promise?: PromiseConstructorLike;
  /** Runs on every new client before its first checkout; a throw or rejection fails that checkout. */
  onConnect?: (client: any) => unknown;
  /** Checks every new client before its first checkout; an error fails that checkout. */
  verify?: (client: any, done: (error?: Error | null) => void) => void;
}

/** Options havuz reads that pg-pool has its own name for: give pg-pool's (or havuz's, not both). */
type Renamed = 'size' | 'minIdle' | 'idleTimeoutMs' | 'acquireTimeoutMs' | 'createTimeoutMs' | 'maxLifetimeMs' | 'maxUses' | 'connectArgs';

/**
 * What `new pg.Pool(config)` takes: pg-pool's options, every pg.Client option (passed to the
 * client untouched: host, user, password, connectionString, ssl, types, binary,
 * statement_timeout, ...), and havuz's own options for what pg lacks (prePing,
 * statementTimeoutMs, maxQueries, leakDetectionMs, ...).
 */
export type PgPoolConfig = PgPoolOwnOptions & Omit<EngineOptions, Renamed> & { [clientOption: string]: unknown };

/** How PgPool is built from a pg.Pool config. */
export interface PgPoolSettings {
  engineOptions: EngineOptions;
  /** pg-pool's `pool.options`: the config with pg-pool's defaults filled in, the password hidden. */
  options: Record<string, unknown>;
  Client: PgClientClass | undefined;
  log: ((...messages: unknown[]) => void) | undefined;
  Promise: PromiseConstructorLike | undefined;
  allowExitOnIdle: boolean;
  onConnect: PgPoolOwnOptions['onConnect'];
  verify: PgPoolOwnOptions['verify'];
}

const ownChecks = {
  max: checks.positiveCount,
  poolSize: checks.positiveCount,
  min: checks.count,
  idleTimeoutMillis: checks.duration,
  connectionTimeoutMillis: checks.duration,
  maxUses: (v: unknown) => (v === Infinity ? undefined : checks.positiveCount(v)),
  maxLifetimeSeconds: checks.duration,
  allowExitOnIdle: checks.boolean,
  log: checks.fn,
  Client: checks.fn,
  Promise: checks.fn,
  onConnect: checks.fn,
  verify: checks.fn,
};

const renamed = [
  ['max', 'size'],
  ['poolSize', 'size'],
  ['min', 'minIdle'],
  ['idleTimeoutMillis', 'idleTimeoutMs'],
  ['connectionTimeoutMillis', 'acquireTimeoutMs'],
  ['connectionTimeoutMillis', 'createTimeoutMs'],
  ['maxLifetimeSeconds', 'maxLifetimeMs'],
] as const;

/**
 * Reads a pg.Pool config the way pg-pool does (`max || poolSize || 10`, idleTimeoutMillis 10 000
 * unless given, a falsy connectionTimeoutMillis for no limit) into the engine's options. The
 * config object is not changed.
 */
export function fromPgPoolConfig(config: PgPoolConfig = {}, ClientArgument?: PgClientClass): PgPoolSettings {
  if (typeof config !== 'object' || config === null) throw new InvalidOptionError('config', config, 'a pg.Pool config object');
  if (ClientArgument !== undefined && typeof ClientArgument !== 'function') throw new InvalidOptionError('Client', ClientArgument, 'a pg Client class');
  const { havuz, rest } = splitHavuzOptions(config);
  checkDriverOptions(rest, ownChecks);
  if (havuz.maxUses !== undefined && rest.maxUses === undefined) rest.maxUses = havuz.maxUses || Infinity;
  delete (havuz as Record<string, unknown>).maxUses;
  if (havuz.connectArgs !== undefined) throw new InvalidOptionError('connectArgs', havuz.connectArgs, 'no connectArgs: give pg.Client options at the top level, as with pg.Pool');
  checkNoConflicts(rest, havuz, renamed);

  // pg-pool's own resolution, on a copy (pg-pool's `this.options`).
  const options = rest;
  const max = (options.max || options.poolSize || havuz.size || 10) as number;
  options.max = max;
  options.min = options.min || havuz.minIdle || 0;
  options.maxUses = options.maxUses || Infinity;
  options.allowExitOnIdle = options.allowExitOnIdle || false;
  options.maxLifetimeSeconds = options.maxLifetimeSeconds || 0;
  if (options.idleTimeoutMillis === undefined) options.idleTimeoutMillis = havuz.idleTimeoutMs ?? 10_000;
  if ((options.min as number) > max) throw new InvalidOptionError('min', options.min, `at most max (${max})`);

  const waitMs = (options.connectionTimeoutMillis as number | undefined) || Infinity;
  // pg.Client gets connectionTimeoutMillis too and gives up on its own connect with pg's error;
  // havuz's create deadline is the backstop for a client class that ignores it.
  const createMs = Math.min(MAX_TIMER_MS, waitMs * 2);
  const idleTimeoutMs = (options.idleTimeoutMillis as number | null) || 0;
  const maxLifetimeMs = (options.maxLifetimeSeconds as number) * 1000;
  const engineOptions: EngineOptions = {
    size: max,
    minIdle: options.min as number,
    idleTimeoutMs,
    acquireTimeoutMs: waitMs,
    createTimeoutMs: createMs,
    maxUses: options.maxUses === Infinity ? 0 : (options.maxUses as number),
    maxLifetimeMs,
    // pg-pool has none of these: lifetimes end when configured, every waiter may open a client,
    // and a connect that fails fails the connect() waiting for it, however long the pool has run.
    maxLifetimeJitter: 0,
    maxConnecting: max,
    failFastAfterMs: 0,
    housekeepingMs: facadeHousekeepingMs([idleTimeoutMs, maxLifetimeMs, havuz.leakDetectionMs ?? 0]),
    ...havuz,
  };
  // The client's config is pg-pool's options, as pg-pool passes them; the Client argument too, for the driver.
  const clientConfig: Record<string, unknown> = Object.defineProperties({}, Object.getOwnPropertyDescriptors(options));
  if (ClientArgument !== undefined && options.Client === undefined) clientConfig.Client = ClientArgument;
  engineOptions.connectArgs = clientConfig;
  guardOptions(options);
  return {
    engineOptions,
    options,
    Client: (options.Client as PgClientClass | undefined) ?? ClientArgument,
    log: options.log as PgPoolSettings['log'],
    Promise: options.Promise as PromiseConstructorLike | undefined,
    allowExitOnIdle: options.allowExitOnIdle as boolean,
    onConnect: options.onConnect as PgPoolOwnOptions['onConnect'],
    verify: options.verify as PgPoolOwnOptions['verify'],
  };
}

/**
 * pg-pool hides the password from `console.log(pool.options)` and stack traces; PgPool also
 * prints a connectionString redacted. Both without changing what the object holds: Kysely copies
 * it (password included, explicitly) to open a control connection.
 */
export function guardOptions(options: Record<string, unknown>): void {
  if (Object.hasOwn(options, 'password')) {
    Object.defineProperty(options, 'password', { value: options.password, enumerable: false, writable: true, configurable: true });
  }
  Object.defineProperty(options, inspect.custom, {
    value: (_depth: number, inspectOptions: InspectOptions) => {
      const shown = { ...options };
      if (typeof shown.connectionString === 'string') shown.connectionString = redactUrl(shown.connectionString);
      return inspect(shown, inspectOptions);
    },
    enumerable: false,
    configurable: true,
  });
}
