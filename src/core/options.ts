import { InvalidOptionError } from './errors.js';
import { systemClock, type Clock } from './clock.js';
import { checkLogger, type Logger } from './log.js';

export type { Logger } from './log.js';

export interface PoolOptions {
  /** Name used in errors, logs and metrics. */
  name?: string;
  /** Connections kept open (SQLAlchemy `pool_size`, asyncpg `max_size`, pg-pool `max`). */
  size?: number;
  /** Extra connections opened under load and closed on return (SQLAlchemy `max_overflow`). */
  maxOverflow?: number;
  /** Idle connections kept ready, opened at start (asyncpg `min_size`, HikariCP `minimumIdle`). */
  minIdle?: number;
  /** How long an acquire may wait before it fails. Finite by default: never hang forever. */
  acquireTimeoutMs?: number;
  /** How long one connect (plus its init hook) may take. */
  createTimeoutMs?: number;
  /** How long a pre-ping may take before the connection counts as dead. */
  validateTimeoutMs?: number;
  /** Recycle connections older than this (SQLAlchemy `pool_recycle`, HikariCP `maxLifetime`); 0 = never. */
  maxLifetimeMs?: number;
  /** Each connection's lifetime is shortened by up to this fraction, so they do not all expire at once. */
  maxLifetimeJitter?: number;
  /** Close connections idle this long, down to `minIdle`; 0 = never. */
  idleTimeoutMs?: number;
  /** Close a connection after this many checkouts (pg-pool `maxUses`); 0 = unlimited. */
  maxUses?: number;
  /** Ping a connection on checkout (SQLAlchemy `pool_pre_ping`). */
  prePing?: boolean;
  /** Skip the ping when the connection was used this recently (HikariCP's 500 ms bypass). */
  prePingBypassMs?: number;
  /** Call the factory's `reset` on return. */
  resetOnReturn?: boolean;
  /** Reuse the most recently returned connection first (`lifo`) or the longest idle (`fifo`). */
  order?: 'lifo' | 'fifo';
  /** At most this many connects in flight at once: no connect storm when the database comes back. */
  maxConnecting?: number;
  /** First delay after a failed connect; doubles per failure, with jitter. */
  createBackoffMs?: number;
  /** Ceiling for the connect backoff. */
  createBackoffMaxMs?: number;
  /**
   * When a connect fails and no connection is open or connecting, reject the waiting acquires at
   * once with the connect error (HAVUZ_CREATE_FAILED). false: they wait out acquireTimeoutMs while
   * the pool retries (HikariCP's behaviour), riding out a short database restart.
   */
  failFast?: boolean;
  /** Reject new acquires at once when this many are already waiting; Infinity = no cap. */
  maxWaiters?: number;
  /** Report a checkout held longer than this, with the acquirer's stack; 0 = off. */
  leakDetectionMs?: number;
  /** How often idle, lifetime, min-idle and leak checks run; derived from the other options by default. */
  housekeepingMs?: number;
  logger?: Logger;
  clock?: Clock;
  /** Source of randomness for jitter; inject a seeded one in tests. */
  random?: () => number;
}

export interface ResolvedPoolOptions extends Required<Omit<PoolOptions, 'logger'>> {
  logger: Logger | undefined;
  /** size + maxOverflow */
  max: number;
}

export const defaults = {
  name: 'havuz',
  size: 10,
  maxOverflow: 0,
  minIdle: 0,
  acquireTimeoutMs: 30_000,
  createTimeoutMs: 10_000,
  validateTimeoutMs: 5_000,
  maxLifetimeMs: 30 * 60_000,
  maxLifetimeJitter: 0.025,
  idleTimeoutMs: 10 * 60_000,
  maxUses: 0,
  prePing: false,
  prePingBypassMs: 500,
  resetOnReturn: true,
  order: 'lifo' as 'lifo' | 'fifo',
  maxConnecting: 2,
  createBackoffMs: 100,
  // A 500 ms ceiling (jittered down to 250 ms): once the database is back the pool serves again
  // within half a second, at a cost of 2-4 connect attempts a second while it is down.
  createBackoffMaxMs: 500,
  failFast: true,
  maxWaiters: Infinity,
  leakDetectionMs: 0,
} satisfies Partial<PoolOptions>;

type Check = (value: unknown) => string | undefined;

const count: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'a whole number >= 0');
const countOrInfinity: Check = (v) => (v === Infinity ? undefined : count(v));
const positiveCount: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : 'a whole number >= 1';
const duration: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a finite number of milliseconds >= 0';
const positiveDuration: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'a finite number of milliseconds > 0';
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const fn: Check = (v) => (typeof v === 'function' ? undefined : 'a function');

const checks: Record<keyof PoolOptions, Check> = {
  name: (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string'),
  size: positiveCount,
  maxOverflow: countOrInfinity,
  minIdle: count,
  acquireTimeoutMs: positiveDuration,
  createTimeoutMs: positiveDuration,
  validateTimeoutMs: positiveDuration,
  maxLifetimeMs: duration,
  maxLifetimeJitter: (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : 'a fraction from 0 to below 1'),
  idleTimeoutMs: duration,
  maxUses: count,
  prePing: boolean,
  prePingBypassMs: duration,
  resetOnReturn: boolean,
  order: (v) => (v === 'lifo' || v === 'fifo' ? undefined : '"lifo" or "fifo"'),
  maxConnecting: positiveCount,
  createBackoffMs: duration,
  createBackoffMaxMs: duration,
  failFast: boolean,
  maxWaiters: countOrInfinity,
  leakDetectionMs: duration,
  housekeepingMs: positiveDuration,
  logger: checkLogger,
  clock: (v) =>
    typeof v === 'object' && v !== null && ['now', 'setTimeout', 'clearTimeout'].every((m) => typeof (v as any)[m] === 'function')
      ? undefined
      : 'an object with now(), setTimeout() and clearTimeout()',
  random: fn,
};

/** Validates every option by name and fills in defaults. Unknown keys are errors: a typo must not pass silently. */
export function resolvePoolOptions(input: PoolOptions = {}, overrides: Partial<PoolOptions> = {}): ResolvedPoolOptions {
  if (typeof input !== 'object' || input === null) throw new InvalidOptionError('options', input, 'an object');
  const merged: Record<string, unknown> = { ...overrides };
  for (const [key, value] of Object.entries(input)) {
    const check = (checks as Record<string, Check | undefined>)[key];
    if (check === undefined) throw new InvalidOptionError(key, value, `one of the known options: ${Object.keys(checks).join(', ')}`);
    if (value === undefined) continue;
    const expected = check(value);
    if (expected !== undefined) throw new InvalidOptionError(key, value, expected);
    merged[key] = value;
  }
  const o = { ...defaults, clock: systemClock, random: Math.random, logger: undefined, ...merged } as ResolvedPoolOptions;
  if (o.minIdle > o.size + o.maxOverflow) {
    throw new InvalidOptionError('minIdle', o.minIdle, `at most size + maxOverflow (${o.size + o.maxOverflow})`);
  }
  if (o.createBackoffMaxMs < o.createBackoffMs) {
    throw new InvalidOptionError('createBackoffMaxMs', o.createBackoffMaxMs, `at least createBackoffMs (${o.createBackoffMs})`);
  }
  o.max = o.size + o.maxOverflow;
  o.housekeepingMs ??= deriveHousekeeping(o);
  return o;
}

/** Upkeep runs often enough to honour the shortest timed option, but never busier than 4 Hz. */
function deriveHousekeeping(o: ResolvedPoolOptions): number {
  const periods = [o.idleTimeoutMs, o.maxLifetimeMs, o.leakDetectionMs].filter((ms) => ms > 0).map((ms) => ms / 4);
  return Math.min(30_000, Math.max(250, Math.min(30_000, ...periods)));
}
