import { systemClock, type Clock } from './clock.js';
import { InvalidOptionError } from './errors.js';
import { checkLogger, type Logger } from './log.js';
import { closestName } from './suggest.js';
import { MAX_TIMER_MS } from './timeouts.js';

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
  /** How long an acquire may wait before it fails. Finite by default: never hang forever. Infinity: no limit. */
  acquireTimeoutMs?: number;
  /** How long one connect (plus its init hook) may take. */
  createTimeoutMs?: number;
  /** How long a pre-ping or a reset may take before the connection counts as dead. */
  validateTimeoutMs?: number;
  /** Recycle connections older than this (SQLAlchemy `pool_recycle`, HikariCP `maxLifetime`); 0 or Infinity = never. */
  maxLifetimeMs?: number;
  /** Each connection's lifetime is shortened by up to this fraction, so they do not all expire at once. */
  maxLifetimeJitter?: number;
  /** Close connections idle this long, down to `minIdle`; 0 or Infinity = never. */
  idleTimeoutMs?: number;
  /** Close a connection after this many checkouts (pg-pool `maxUses`); 0 = unlimited. */
  maxUses?: number;
  /** Ping a connection on checkout (SQLAlchemy `pool_pre_ping`). Never a connection opened a moment ago. */
  prePing?: boolean;
  /** Skip the ping when the connection was used this recently (HikariCP's 500 ms bypass). */
  prePingBypassMs?: number;
  /** Call the factory's `reset` on return. */
  resetOnReturn?: boolean;
  /** Reuse the most recently returned connection first (`lifo`) or the longest idle (`fifo`). */
  order?: 'lifo' | 'fifo';
  /** At most this many connects in flight at once (one while connects fail): no connect storm. */
  maxConnecting?: number;
  /** First delay after a failed connect, ping or reset; doubles per failure up to the ceiling, plus up to 25%. */
  createBackoffMs?: number;
  /** Ceiling for that delay. */
  createBackoffMaxMs?: number;
  /**
   * Reject waiting acquires with the connect error (HAVUZ_CREATE_FAILED) instead of letting them
   * wait out acquireTimeoutMs, once nothing is open and connects have failed: at once when the
   * pool has never connected (a wrong address or password shows at the first acquire), and after
   * `failFastAfterMs` of failing when it has (a restart shorter than that fails no waiter).
   */
  failFast?: boolean;
  /** How long connects must keep failing, with nothing open, before failFast rejects. Default: acquireTimeoutMs. Infinity: only a pool that never connected fails fast. */
  failFastAfterMs?: number;
  /** Acquires that may wait for a busy connection; 0: none wait (connections are still opened up to max). Infinity = no cap. */
  maxWaiters?: number;
  /** Report a checkout held longer than this, with the acquirer's stack; 0 = off. */
  leakDetectionMs?: number;
  /** How often idle, lifetime, min-idle and leak checks run; derived from the other options by default. */
  housekeepingMs?: number;
  /** pino-shaped: `warn(fields, message)`; pool trouble is logged at warn. */
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
  // One attempt every 100-125 ms while the database is away: at most 10 a second, and the pool
  // serves again within ~125 ms of its return.
  createBackoffMs: 100,
  createBackoffMaxMs: 100,
  failFast: true,
  maxWaiters: Infinity,
  leakDetectionMs: 0,
} satisfies Partial<PoolOptions>;

type Check = (value: unknown) => string | undefined;

const count: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'a whole number >= 0');
const countOrInfinity: Check = (v) => (v === Infinity ? undefined : count(v) && 'a whole number >= 0, or Infinity');
const positiveCount: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : 'a whole number >= 1');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const fn: Check = (v) => (typeof v === 'function' ? undefined : 'a function');

/**
 * A duration that a timer can hold: Node fires any delay of 2^31 ms or more after 1 ms, so those
 * are refused here rather than misbehaving later. `infinity` names what Infinity means, where it
 * means something (no limit, never).
 */
export function duration(min: 0 | 'above 0', infinity?: string): Check {
  const floor = min === 0 ? '>= 0' : '> 0';
  const expected = `a number of milliseconds ${floor} and below 2^31 (${MAX_TIMER_MS + 1})` + (infinity ? `, or Infinity for ${infinity}` : '');
  return (v) => {
    if (typeof v !== 'number' || Number.isNaN(v)) return expected;
    if (v === Infinity) return infinity ? undefined : expected;
    return (min === 0 ? v >= 0 : v > 0) && v <= MAX_TIMER_MS ? undefined : expected;
  };
}

const checks: Record<keyof PoolOptions, Check> = {
  name: (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string'),
  size: positiveCount,
  maxOverflow: countOrInfinity,
  minIdle: count,
  acquireTimeoutMs: duration('above 0', 'no limit'),
  createTimeoutMs: duration('above 0'),
  validateTimeoutMs: duration('above 0'),
  maxLifetimeMs: duration(0, 'never'),
  maxLifetimeJitter: (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : 'a fraction from 0 to below 1'),
  idleTimeoutMs: duration(0, 'never'),
  maxUses: count,
  prePing: boolean,
  prePingBypassMs: duration(0),
  resetOnReturn: boolean,
  order: (v) => (v === 'lifo' || v === 'fifo' ? undefined : '"lifo" or "fifo"'),
  maxConnecting: positiveCount,
  createBackoffMs: duration(0),
  createBackoffMaxMs: duration(0),
  failFast: boolean,
  failFastAfterMs: duration(0, 'only when the pool never connected'),
  maxWaiters: countOrInfinity,
  leakDetectionMs: duration(0),
  housekeepingMs: duration('above 0'),
  logger: checkLogger,
  clock: (v) =>
    typeof v === 'object' && v !== null && ['now', 'setTimeout', 'clearTimeout'].every((m) => typeof (v as any)[m] === 'function')
      ? undefined
      : 'an object with now(), setTimeout() and clearTimeout()',
  random: fn,
};

export const POOL_OPTION_NAMES: readonly string[] = Object.keys(checks);

/** True for `{...}` and `Object.create(null)`; false for arrays, functions, strings, class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks an options object: a plain object whose own keys are all known (a typo must not pass
 * silently; an inherited or prototype-named key is never read). Returns its defined entries.
 */
export function ownOptions(what: string, input: unknown, known: readonly string[]): [string, unknown][] {
  if (input === undefined) return [];
  if (!isPlainObject(input)) throw new InvalidOptionError(what, input, 'a plain object: { key: value }');
  const out: [string, unknown][] = [];
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (!known.includes(key)) {
      const near = closestName(key, known);
      throw new InvalidOptionError(key, value, near !== undefined ? `no such option; did you mean ${near}?` : `one of the known options: ${known.join(', ')}`);
    }
    if (value !== undefined) out.push([key, value]);
  }
  return out;
}

/** Validates every option by name and fills in defaults. */
export function resolvePoolOptions(input: PoolOptions | undefined = {}, overrides: Partial<PoolOptions> = {}): ResolvedPoolOptions {
  const merged: Record<string, unknown> = { ...overrides };
  for (const [key, value] of ownOptions('options', input, POOL_OPTION_NAMES)) {
    const expected = checks[key as keyof PoolOptions](value);
    if (expected !== undefined) throw new InvalidOptionError(key, value, expected);
    merged[key] = value;
  }
  const o = fixedShape((key) => (key in merged ? merged[key] : key in defaults ? defaults[key as keyof typeof defaults] : fallbacks[key]));
  if (o.minIdle > o.size + o.maxOverflow) {
    throw new InvalidOptionError('minIdle', o.minIdle, `at most size + maxOverflow (${o.size + o.maxOverflow})`);
  }
  if (o.createBackoffMaxMs < o.createBackoffMs) {
    throw new InvalidOptionError('createBackoffMaxMs', o.createBackoffMaxMs, `at least createBackoffMs (${o.createBackoffMs})`);
  }
  o.max = o.size + o.maxOverflow;
  o.failFastAfterMs ??= o.acquireTimeoutMs;
  o.housekeepingMs ??= deriveHousekeeping(o);
  return o;
}

/** Defaults that are not plain values: filled in here, never shared through `defaults`. */
const fallbacks: Record<string, unknown> = { clock: systemClock, random: Math.random, logger: undefined, failFastAfterMs: undefined, housekeepingMs: undefined };

/**
 * The resolved options, every key written in one fixed order by one object literal, so every
 * pool's options object has the same hidden class whatever the user's key order. Built with
 * spreads (`{ ...defaults, ...given }`), the pools' options objects got a new hidden class after
 * each full GC: the pool's optimised code, specialised on one pool's options, failed its map
 * check on the next pool's (wrong-map deopts in acquire, #wait, #fill and park), and each new
 * pool ran on code re-optimised at a random moment: the core benchmark's 5x swing in queued-10.
 */
function fixedShape(value: (key: string) => unknown): ResolvedPoolOptions {
  const v = value as (key: string) => any;
  return {
    name: v('name'),
    size: v('size'),
    maxOverflow: v('maxOverflow'),
    minIdle: v('minIdle'),
    acquireTimeoutMs: v('acquireTimeoutMs'),
    createTimeoutMs: v('createTimeoutMs'),
    validateTimeoutMs: v('validateTimeoutMs'),
    maxLifetimeMs: v('maxLifetimeMs'),
    maxLifetimeJitter: v('maxLifetimeJitter'),
    idleTimeoutMs: v('idleTimeoutMs'),
    maxUses: v('maxUses'),
    prePing: v('prePing'),
    prePingBypassMs: v('prePingBypassMs'),
    resetOnReturn: v('resetOnReturn'),
    order: v('order'),
    maxConnecting: v('maxConnecting'),
    createBackoffMs: v('createBackoffMs'),
    createBackoffMaxMs: v('createBackoffMaxMs'),
    failFast: v('failFast'),
    failFastAfterMs: v('failFastAfterMs'),
    maxWaiters: v('maxWaiters'),
    leakDetectionMs: v('leakDetectionMs'),
    housekeepingMs: v('housekeepingMs'),
    logger: v('logger'),
    clock: v('clock'),
    random: v('random'),
    max: 0,
  };
}

/** Upkeep runs often enough to honour the shortest timed option, but never busier than 4 Hz. */
function deriveHousekeeping(o: ResolvedPoolOptions): number {
  const periods = [o.idleTimeoutMs, o.maxLifetimeMs, o.leakDetectionMs].filter((ms) => ms > 0 && ms !== Infinity).map((ms) => ms / 4);
  return Math.min(30_000, Math.max(250, Math.min(30_000, ...periods)));
}
