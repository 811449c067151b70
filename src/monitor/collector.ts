import type { ConnectionPool } from '../core/pool.js';
import type { PoolStatus } from '../core/stats.js';
import { Histogram, type HistogramSnapshot } from './histogram.js';

export interface PoolMetrics {
  status: PoolStatus;
  /** How long acquires waited for a connection (0 when one was idle). */
  waitMs: HistogramSnapshot;
  /** How long connections were held between checkout and return. */
  useMs: HistogramSnapshot;
  /** How long opening a connection took (connect plus init). */
  connectMs: HistogramSnapshot;
  /** Connections closed, by reason (idle-timeout, max-lifetime, broken, ...). */
  closed: Record<string, number>;
  /** Background errors, by phase (create, idle, validate, reset, ...). */
  errors: Record<string, number>;
}

/**
 * Turns one pool's events into histograms and counts. Listening costs the pool a payload per
 * checkout and return, so nothing is collected until a collector is attached; `stop()` detaches it.
 */
export class PoolCollector {
  readonly pool: ConnectionPool<unknown>;
  readonly #wait = new Histogram();
  readonly #use = new Histogram();
  readonly #connect = new Histogram();
  readonly #closed: Record<string, number> = {};
  readonly #errors: Record<string, number> = {};
  readonly #unsubscribe: (() => void)[];

  constructor(pool: ConnectionPool<any>) {
    this.pool = pool;
    this.#unsubscribe = [
      pool.on('checkout', (e) => this.#wait.observe(e.waitMs)),
      pool.on('checkin', (e) => this.#use.observe(e.heldMs)),
      pool.on('connect', (e) => this.#connect.observe(e.durationMs)),
      pool.on('close', (e) => void (this.#closed[e.reason] = (this.#closed[e.reason] ?? 0) + 1)),
      pool.on('connection-error', (e) => void (this.#errors[e.phase] = (this.#errors[e.phase] ?? 0) + 1)),
    ];
  }

  snapshot(): PoolMetrics {
    return {
      status: this.pool.status(),
      waitMs: this.#wait.snapshot(),
      useMs: this.#use.snapshot(),
      connectMs: this.#connect.snapshot(),
      closed: { ...this.#closed },
      errors: { ...this.#errors },
    };
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
