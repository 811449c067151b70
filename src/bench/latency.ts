/** Latency statistics over one run's samples, in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface Histogram {
  /** Bucket i holds samples in [edges[i], edges[i + 1]); the last bucket includes its upper edge. */
  edges: number[];
  counts: number[];
}

/** Collects one sample per query; cheap enough to sit in the timed loop. */
export class LatencyRecorder {
  #samples = new Float64Array(1024);
  #count = 0;

  record(ms: number): void {
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = ms;
  }

  get count(): number {
    return this.#count;
  }

  /** The samples so far, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.#samples.slice(0, this.#count).sort();
  }
}

/**
 * The p-th percentile (0..100) of ascending samples, interpolating linearly between the two
 * nearest ranks (numpy's default, "type 7"): p50 of [1, 2, 3, 4] is 2.5, p0 the min, p100 the max.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  return a + (sorted[hi]! - a) * (rank - lo);
}

export function summarize(sorted: ArrayLike<number>): LatencySummary {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    min: n === 0 ? NaN : sorted[0]!,
    mean: n === 0 ? NaN : sum / n,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: n === 0 ? NaN : sorted[n - 1]!,
  };
}

/**
 * Buckets for a latency histogram. Latencies are skewed (a long tail over a tight body), so the
 * buckets are log-spaced by default: equal width on a log axis, each bucket a constant factor wider.
 */
export function histogram(sorted: ArrayLike<number>, buckets = 30, scale: 'log' | 'linear' = 'log'): Histogram {
  const n = sorted.length;
  if (n === 0) return { edges: [], counts: [] };
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  const useLog = scale === 'log' && min > 0;
  const lo = useLog ? Math.log(min) : min;
  const hi = useLog ? Math.log(max) : max;
  if (hi === lo) return { edges: [min, max], counts: [n] };
  const width = (hi - lo) / buckets;
  const edges = Array.from({ length: buckets + 1 }, (_, i) => (useLog ? Math.exp(lo + i * width) : lo + i * width));
  edges[0] = min;
  edges[buckets] = max;
  const counts = new Array<number>(buckets).fill(0);
  for (let i = 0; i < n; i++) {
    const v = useLog ? Math.log(sorted[i]!) : sorted[i]!;
    counts[Math.min(buckets - 1, Math.floor((v - lo) / width))]!++;
  }
  return { edges, counts };
}
