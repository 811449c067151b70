import { isConnectPhase } from '../core/events.js';
import type { PoolStatus } from '../core/stats.js';
import { shownError } from '../engine/redact.js';
import { Histogram, type HistogramSnapshot } from './histogram.js';
import { RecentCounts, type Recent } from './recent.js';
import { sourceOf, type MonitoredEngine, type MonitoredPool, type MonitorTarget } from './source.js';

export interface PoolMetrics {
  status: PoolStatus;
  /** How long acquires waited for a connection (0 when one was idle). */
  waitMs: HistogramSnapshot;
  /** How long connections were held between checkout and return. */
  useMs: HistogramSnapshot;
  /** How long opening a connection took (connect plus init). */
  connectMs: HistogramSnapshot;
  /** How long statements took on their connection; engines only (empty for a bare pool). */
  queryMs: HistogramSnapshot;
  /** Statements that failed; engines only. */
  queryErrors: number;
  /** Connections closed, by reason (idle-timeout, max-lifetime, broken, ...). */
  closed: Record<string, number>;
  /** Background errors, by phase (create, idle, validate, reset, ...). */
  errors: Record<string, number>;
}

/**
 * Turns one pool's events (and its engine's statements) into histograms and counts. Listening
 * costs the pool a payload per checkout and return and each statement two clock reads, so nothing
 * is collected until a collector is attached; `stop()` detaches it.
 */
export class PoolCollector {
  readonly pool: MonitoredPool;
  readonly engine: MonitoredEngine | undefined;
  readonly #wait = new Histogram();
  readonly #use = new Histogram();
  readonly #connect = new Histogram();
  readonly #query = new Histogram();
  #queryErrors = 0;
  readonly #closed: Record<string, number> = {};
  readonly #errors: Record<string, number> = {};
  readonly #recent: RecentCounts;
  #lastConnectError: Recent['lastConnectError'];
  readonly #unsubscribe: (() => void)[];

  constructor(target: MonitorTarget, options: { now?: () => number } = {}) {
    const { pool, engine } = sourceOf(target);
    this.pool = pool;
    this.engine = engine;
    this.#recent = new RecentCounts(() => pool.status().counters, options.now ?? (() => performance.now()));
    this.#unsubscribe = [
      pool.on('checkout', (e) => this.#wait.observe(e.waitMs)),
      pool.on('checkin', (e) => this.#use.observe(e.heldMs)),
      pool.on('connect', (e) => this.#connect.observe(e.durationMs)),
      pool.on('close', (e) => void (this.#closed[e.reason] = (this.#closed[e.reason] ?? 0) + 1)),
      pool.on('connection-error', (e) => {
        this.#errors[e.phase] = (this.#errors[e.phase] ?? 0) + 1;
        if (isConnectPhase(e.phase)) this.#lastConnectError = shownError(e.error);
      }),
    ];
    if (engine !== undefined) {
      this.#unsubscribe.push(
        engine.on('query', (e) => {
          this.#query.observe(e.durationMs);
          if (e.error !== undefined) this.#queryErrors++;
        }),
      );
    }
  }

  get name(): string {
    return this.pool.name;
  }

  snapshot(): PoolMetrics {
    return {
      status: this.pool.status(),
      waitMs: this.#wait.snapshot(),
      useMs: this.#use.snapshot(),
      connectMs: this.#connect.snapshot(),
      queryMs: this.#query.snapshot(),
      queryErrors: this.#queryErrors,
      closed: { ...this.#closed },
      errors: { ...this.#errors },
    };
  }

  /** Acquire timeouts and failed connects within the last `windowMs` (at least; see RecentCounts). */
  recent(windowMs: number): Recent {
    const counts = this.#recent.within(windowMs);
    return counts.createErrors > 0 && this.#lastConnectError !== undefined ? { ...counts, lastConnectError: this.#lastConnectError } : counts;
  }

  /** p50/p99 wait and use times (bucket upper bounds), for logs and the advisor. */
  summary(): { waitP50Ms?: number; waitP99Ms?: number; useP50Ms?: number; useP99Ms?: number } {
    return {
      waitP50Ms: this.#wait.quantile(0.5),
      waitP99Ms: this.#wait.quantile(0.99),
      useP50Ms: this.#use.quantile(0.5),
      useP99Ms: this.#use.quantile(0.99),
    };
  }

  stop(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe.length = 0;
  }
}
