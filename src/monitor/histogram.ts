/** Upper bounds in milliseconds, from 0.1 ms (a pooled checkout) to 30 s (an acquire timeout). */
export const DEFAULT_BUCKETS_MS: readonly number[] = [0.1, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

export interface HistogramSnapshot {
  /** Upper bounds (ms) and how many observations fell at or below each: cumulative, as Prometheus wants. */
  buckets: { le: number; count: number }[];
  count: number;
  sumMs: number;
}

/**
 * A fixed-bucket histogram: O(buckets) per observation, constant memory, mergeable and exportable
 * without keeping samples. Precise percentiles are the bench's job; this is for live pools.
 */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #count = 0;
  #sum = 0;

  constructor(boundsMs: readonly number[] = DEFAULT_BUCKETS_MS) {
    this.#bounds = boundsMs;
    this.#counts = new Array<number>(boundsMs.length).fill(0);
  }

  observe(ms: number): void {
    this.#count++;
    this.#sum += ms;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (ms <= bounds[i]!) {
        this.#counts[i]!++;
        return;
      }
    }
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    const buckets = this.#bounds.map((le, i) => ({ le, count: (running += this.#counts[i]!) }));
    return { buckets, count: this.#count, sumMs: this.#sum };
  }

  /** The bucket bound at or below which `q` (0..1) of the observations fall: an upper estimate. */
  quantile(q: number): number | undefined {
    if (this.#count === 0) return undefined;
    const target = q * this.#count;
    let running = 0;
    for (let i = 0; i < this.#bounds.length; i++) {
      running += this.#counts[i]!;
      if (running >= target) return this.#bounds[i];
    }
    return Infinity;
  }
}
