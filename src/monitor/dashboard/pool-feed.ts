import { isConnectPhase } from '../../core/events.js';
import { redactUrl, redactUrlsIn, shownMessage } from '../../engine/redact.js';
import type { PoolCollector } from '../collector.js';
import { gradePool, type HealthReason, type HealthStatus } from '../grade.js';
import type { HistogramSnapshot } from '../histogram.js';

/** One pool at one tick: what the page plots. Rates are per second over the last tick. */
export interface PoolPoint {
  name: string;
  idle: number;
  used: number;
  connecting: number;
  pending: number;
  max: number;
  /** Wait-time quantiles of the checkouts since the last tick (bucket upper bounds); null when there were none. */
  waitP50Ms: number | null;
  waitP99Ms: number | null;
  timeoutsPerSec: number;
  createErrorsPerSec: number;
  acquired: number;
  health: HealthStatus;
  reasons: HealthReason[];
  closed: boolean;
}

export type FeedEventKind = 'leak' | 'invalidate' | 'connect-failed' | 'recovered' | 'timeout';

/** A recent event as the page lists it: no connection object, no URL with a password. */
export interface FeedEvent {
  /** Unique within its hub; an event sent again with the same id replaces the first (its count grew). */
  id: number;
  pool: string;
  at: number;
  kind: FeedEventKind;
  message: string;
  /** Repeats folded into this one (the same kind within a second, e.g. connects failing while the database is down). */
  count: number;
  /** Leaks: where the connection was acquired. */
  stack?: string;
}

/** Kinds that come in bursts: folded into one line per second, so they cannot push a leak out of the list. */
const BURSTY: ReadonlySet<FeedEventKind> = new Set(['timeout', 'connect-failed']);

/** The pool's settings the page shows: numbers, booleans and names only (never a function, logger or URL password). */
export type PoolConfig = Record<string, string | number | boolean | null>;

const CONFIG_KEYS = [
  'size', 'maxOverflow', 'minIdle', 'acquireTimeoutMs', 'createTimeoutMs', 'validateTimeoutMs', 'maxLifetimeMs', 'idleTimeoutMs',
  'maxUses', 'prePing', 'resetOnReturn', 'order', 'maxConnecting', 'failFast', 'maxWaiters', 'leakDetectionMs',
] as const;

/** At most this many recent events per pool: the feed's memory stays flat whatever happens. */
export const MAX_EVENTS = 50;

/**
 * One pool as the dashboard sees it: listens for the events worth listing (leaks, invalidations,
 * failed connects, and the first connect after failures as a recovery) into a bounded ring, and
 * turns the collector's cumulative histograms and counters into per-tick points.
 */
export class PoolFeed {
  readonly collector: PoolCollector;
  readonly #onEvent: (event: FeedEvent) => void;
  readonly #now: () => number;
  readonly #events: FeedEvent[] = [];
  readonly #offs: (() => void)[];
  #failingSince: number | undefined;
  #failures = 0;
  #lastWait: HistogramSnapshot;
  #lastCounters: { timeouts: number; createErrors: number; at: number };

  readonly #nextId: () => number;

  constructor(collector: PoolCollector, onEvent: (event: FeedEvent) => void, options: { now?: () => number; nextId?: () => number } = {}) {
    const now = options.now ?? Date.now;
    let counter = 0;
    this.#nextId = options.nextId ?? (() => ++counter);
    this.collector = collector;
    this.#onEvent = onEvent;
    this.#now = now;
    const pool = collector.pool;
    this.#lastWait = collector.snapshot().waitMs;
    const c = pool.status().counters;
    this.#lastCounters = { timeouts: c.timeouts, createErrors: c.createErrors, at: now() };
    this.#offs = [
      pool.on('leak', (e) => this.#add('leak', `connection ${e.id} checked out for ${Math.round(e.heldMs)} ms: possible leak`, e.stack)),
      pool.on('invalidate', (e) => this.#add('invalidate', `connection ${e.id} invalidated${e.reason === undefined ? '' : `: ${shownMessage(e.reason)}`}`)),
      pool.on('timeout', (e) => this.#add('timeout', `an acquire timed out after ${Math.round(e.waitMs)} ms with ${e.pending} still waiting`)),
      pool.on('connection-error', (e) => {
        if (!isConnectPhase(e.phase)) return;
        this.#failures++;
        this.#failingSince ??= now();
        this.#add('connect-failed', `connect failed: ${shownMessage(e.error)}`);
      }),
      pool.on('connect', () => {
        if (this.#failingSince === undefined) return;
        const downMs = now() - this.#failingSince;
        this.#add('recovered', `connected again after ${this.#failures} failed connect${this.#failures === 1 ? '' : 's'} over ${(downMs / 1000).toFixed(1)} s`);
        this.#failingSince = undefined;
        this.#failures = 0;
      }),
    ];
  }

  get name(): string {
    return this.collector.name;
  }

  events(): FeedEvent[] {
    return [...this.#events];
  }

  config(): PoolConfig {
    const o = this.collector.pool.options as unknown as Record<string, unknown>;
    const out: PoolConfig = {};
    for (const key of CONFIG_KEYS) {
      const v = o[key];
      if (typeof v === 'number') out[key] = Number.isFinite(v) ? v : null; // JSON has no Infinity: null reads "no limit"
      else if (typeof v === 'boolean' || typeof v === 'string') out[key] = v;
    }
    const engine = this.collector.engine;
    if (engine !== undefined) {
      out.dialect = engine.dialect;
      out.url = redactUrl(engine.url);
    }
    return out;
  }

  /** The point for this tick; each call starts the next interval. */
  point(): PoolPoint {
    const status = this.collector.pool.status();
    const wait = this.collector.snapshot().waitMs;
    const at = this.#now();
    const seconds = Math.max((at - this.#lastCounters.at) / 1000, 0.001);
    const c = status.counters;
    const graded = gradePool(status, this.collector.recent(10_000), { recentMs: 10_000 });
    const point: PoolPoint = {
      name: status.name,
      idle: status.idle,
      used: status.inUse,
      connecting: status.connecting,
      pending: status.pending,
      max: status.max,
      waitP50Ms: intervalQuantile(this.#lastWait, wait, 0.5),
      waitP99Ms: intervalQuantile(this.#lastWait, wait, 0.99),
      timeoutsPerSec: round((c.timeouts - this.#lastCounters.timeouts) / seconds),
      createErrorsPerSec: round((c.createErrors - this.#lastCounters.createErrors) / seconds),
      acquired: c.acquired,
      health: graded.status,
      reasons: graded.reasons,
      closed: status.closed,
    };
    this.#lastWait = wait;
    this.#lastCounters = { timeouts: c.timeouts, createErrors: c.createErrors, at };
    return point;
  }

  stop(): void {
    for (const off of this.#offs) off();
    this.#offs.length = 0;
  }

  #add(kind: FeedEventKind, message: string, stack?: string): void {
    const at = this.#now();
    const last = this.#events[this.#events.length - 1];
    if (last !== undefined && last.kind === kind && BURSTY.has(kind) && at - last.at < 1_000) {
      last.count++;
      last.message = redactUrlsIn(message);
      this.#onEvent({ ...last });
      return;
    }
    const event: FeedEvent = { id: this.#nextId(), pool: this.name, at, kind, message: redactUrlsIn(message), count: 1, ...(stack === undefined ? {} : { stack: redactUrlsIn(stack) }) };
    this.#events.push(event);
    if (this.#events.length > MAX_EVENTS) this.#events.shift();
    this.#onEvent(event);
  }
}

/** The quantile of the observations between two cumulative snapshots: the live wait, not the average since start. */
export function intervalQuantile(before: HistogramSnapshot, after: HistogramSnapshot, q: number): number | null {
  const count = after.count - before.count;
  if (count <= 0) return null;
  const target = q * count;
  for (let i = 0; i < after.buckets.length; i++) {
    const inBucket = after.buckets[i]!.count - (before.buckets[i]?.count ?? 0);
    if (inBucket >= target) return after.buckets[i]!.le;
  }
  return null; // above the largest bucket: no bound to show
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
