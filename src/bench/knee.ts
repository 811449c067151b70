/** One step of a pool-size sweep, as the knee finder needs it. */
export interface SweepPoint {
  poolSize: number;
  qps: number;
}

/** The default share of the best throughput that counts as "reached" (see findKnee). */
export const DEFAULT_KNEE_THRESHOLD = 0.9;

export interface Knee {
  poolSize: number;
  qps: number;
  /** The sweep's best throughput and the size that reached it. */
  maxQps: number;
  maxAtPoolSize: number;
  /** The fraction of maxQps a size had to reach. */
  threshold: number;
  /** The knee is the largest size tried: throughput may still rise beyond it. */
  atLargest: boolean;
}

/**
 * The knee of a pool-size sweep: the smallest pool size whose throughput reaches `threshold`
 * (90% by default) of the best throughput any size reached. Past the knee, more connections buy
 * at most the remaining 10% and usually cost tail latency and database memory; below it, the pool
 * itself is the bottleneck. A threshold rather than a curvature test, because measured curves are
 * noisy and a plateau's second derivative is mostly noise.
 */
export function findKnee(points: readonly SweepPoint[], threshold = DEFAULT_KNEE_THRESHOLD): Knee | undefined {
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`knee threshold must be within (0, 1], got ${threshold}`);
  const usable = points.filter((p) => Number.isFinite(p.qps) && p.qps > 0);
  if (usable.length === 0) return undefined;
  const best = usable.reduce((a, b) => (b.qps > a.qps ? b : a));
  const sorted = [...usable].sort((a, b) => a.poolSize - b.poolSize);
  const knee = sorted.find((p) => p.qps >= threshold * best.qps)!;
  const atLargest = knee.poolSize === sorted.at(-1)!.poolSize;
  return { poolSize: knee.poolSize, qps: knee.qps, maxQps: best.qps, maxAtPoolSize: best.poolSize, threshold, atLargest };
}
