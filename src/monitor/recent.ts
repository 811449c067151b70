import type { PoolCounters } from '../core/stats.js';

/** Trouble counted within a recent window. */
export interface Recent {
  timeouts: number;
  createErrors: number;
  /**
   * When connects failed in the window: the last one's error (its code, and its message with every
   * URL redacted), so a health report says why, not only how many. Needs a collector.
   */
  lastConnectError?: { code: string | undefined; message: string };
}

interface Sample {
  at: number;
  timeouts: number;
  createErrors: number;
}

/**
 * "Recent" acquire timeouts and failed connects, from the pool's cumulative counters: the pool has
 * no timeout event, so the counters are sampled whenever someone asks (each health check) and the
 * difference to the newest sample at least `windowMs` old is the answer. It covers at least the
 * window, and at most the time since the check before it; a few samples per window are kept.
 */
export class RecentCounts {
  readonly #read: () => PoolCounters;
  readonly #now: () => number;
  #samples: Sample[];

  constructor(read: () => PoolCounters, now: () => number) {
    this.#read = read;
    this.#now = now;
    this.#samples = [this.#sample()];
  }

  within(windowMs: number): Recent {
    const current = this.#sample();
    const last = this.#samples[this.#samples.length - 1]!;
    if (current.at - last.at >= windowMs / 8) this.#samples.push(current);
    let base = 0;
    for (let i = this.#samples.length - 1; i >= 0; i--) {
      if (this.#samples[i]!.at <= current.at - windowMs) {
        base = i;
        break;
      }
    }
    if (base > 0) this.#samples = this.#samples.slice(base);
    const baseline = this.#samples[0]!;
    return { timeouts: current.timeouts - baseline.timeouts, createErrors: current.createErrors - baseline.createErrors };
  }

  #sample(): Sample {
    const c = this.#read();
    return { at: this.#now(), timeouts: c.timeouts, createErrors: c.createErrors };
  }
}
