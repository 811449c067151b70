import { findKnee, type Knee } from './knee.js';
import { LatencyRecorder, histogram, summarize, type Histogram, type LatencySummary } from './latency.js';
import { silentProgress, type ProgressSink } from './progress.js';
import type { BenchTarget, TargetOptions } from './target.js';

/** Opens a target on the bench's database with the given pool options (the URL is bound by the caller). */
export type TargetMaker = (options: TargetOptions) => BenchTarget;

export interface RunHooks {
  /** Ctrl-C: workers stop issuing queries and the scenario rejects with the signal's reason. */
  signal?: AbortSignal;
  progress?: ProgressSink;
}

export interface RunStats {
  queries: number;
  elapsedMs: number;
  qps: number;
  latency: LatencySummary;
  histogram: Histogram;
  /** Mean of the pool's inUse and pending over the run (sampled every 20 ms). */
  meanInUse: number;
  meanPending: number;
  maxPending: number;
  /**
   * Little's law read backwards: mean connections busy = throughput x mean hold time, so the
   * mean time a query held its connection is meanInUse / qps. Differs from latency by the wait.
   */
  meanHoldMs: number;
}

export interface PoolVsNoneResult {
  sql: string;
  pooled: RunStats;
  unpooled: RunStats;
  /** Pooled throughput / unpooled throughput, sequential, one query at a time. */
  speedup: number;
}

export interface LoadResult extends RunStats {
  sql: string;
  workers: number;
  poolSize: number;
}

export interface SweepStep extends RunStats {
  poolSize: number;
}

export interface SweepResult {
  sql: string;
  workers: number;
  steps: SweepStep[];
  knee: Knee | undefined;
}

/**
 * Pool vs no pool: the same statement sequentially through a one-connection queue pool and through
 * the null pool (connect, authenticate, query, disconnect every time). The difference is the cost
 * of a connection, which is what a pool exists to save.
 *
 * The pooled side warms up for `pooledWarmupMs` (default 1,000) before it is timed. On a 2-core VM
 * a local `SELECT 1` took 0.10-0.18 ms for its first 2,000-3,000 round trips and 0.05 ms after (V8
 * optimising the query path, and the machine's idle handling adapting to the ping-pong: after a
 * 2 s pause the first few hundred were slow again). Timed after only 20, the 1,000 of `--quick`
 * fell on either side of that change, and the speedup came out at 25x in one run and 81x in the
 * next. 500 ms of warm-up was 1,900-3,100 statements there, still on the edge (7.7-13.4 k q/s
 * timed after it, four runs); 1,000 ms was 8,700-9,400 (12.7-15.1 k q/s).
 */
export async function poolVsNone(
  make: TargetMaker,
  spec: { sql: string; pooledQueries: number; unpooledQueries: number; pooledWarmupMs?: number },
  hooks: RunHooks = {},
): Promise<PoolVsNoneResult> {
  const warmupMs = spec.pooledWarmupMs ?? 1_000;
  const pooled = await withTarget(make({ size: 1 }), (target) =>
    measure(target, { sql: spec.sql, workers: 1, queries: spec.pooledQueries, warmupQueries: 20, warmupMs, label: 'pool vs none: pooled' }, hooks),
  );
  const unpooled = await withTarget(make({ poolClass: 'null', size: 1 }), (target) =>
    measure(target, { sql: spec.sql, workers: 1, queries: spec.unpooledQueries, warmupQueries: 2, label: 'pool vs none: no pool' }, hooks),
  );
  return { sql: spec.sql, pooled, unpooled, speedup: pooled.qps / unpooled.qps };
}

/** The concurrent load test: `workers` loops, each running `queriesPerWorker` statements through one pool. */
export async function loadTest(
  make: TargetMaker,
  spec: { sql: string; workers: number; queriesPerWorker: number; poolSize: number },
  hooks: RunHooks = {},
): Promise<LoadResult> {
  const stats = await withTarget(make({ size: spec.poolSize, maxConnecting: 8 }), (target) =>
    measure(
      target,
      { sql: spec.sql, workers: spec.workers, queries: spec.workers * spec.queriesPerWorker, warmupQueries: spec.poolSize, label: `load: ${spec.workers} workers, pool ${spec.poolSize}` },
      hooks,
    ),
  );
  return { sql: spec.sql, workers: spec.workers, poolSize: spec.poolSize, ...stats };
}

/**
 * The same load (`workers` concurrent loops, more than the largest size so the pool is the
 * bottleneck) for `durationMs` per pool size; throughput and tail latency per size, and the knee.
 */
export async function sweep(
  make: TargetMaker,
  spec: { sql: string; sizes: readonly number[]; workers: number; durationMs: number; kneeThreshold?: number },
  hooks: RunHooks = {},
): Promise<SweepResult> {
  const steps: SweepStep[] = [];
  for (const [i, poolSize] of spec.sizes.entries()) {
    const stats = await withTarget(make({ size: poolSize, maxConnecting: 8 }), (target) =>
      measure(
        target,
        { sql: spec.sql, workers: spec.workers, durationMs: spec.durationMs, warmupQueries: poolSize * 2, label: `sweep: pool size ${poolSize} (${i + 1}/${spec.sizes.length})` },
        hooks,
      ),
    );
    steps.push({ poolSize, ...stats });
  }
  return { sql: spec.sql, workers: spec.workers, steps, knee: findKnee(steps, spec.kneeThreshold) };
}

async function withTarget<R>(target: BenchTarget, fn: (target: BenchTarget) => Promise<R>): Promise<R> {
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

interface MeasureSpec {
  sql: string;
  workers: number;
  /** Stop after this many queries in total ... */
  queries?: number;
  /** ... or after this long, whichever comes first. */
  durationMs?: number;
  /** Untimed queries first, so connects and driver loading are not in the figures. */
  warmupQueries: number;
  /** Keep warming up until this long has passed too (the loops stop at whichever comes last). */
  warmupMs?: number;
  label: string;
}

/** Runs `workers` loops against the target, timing every query; the first query error ends the run. */
export async function measure(target: BenchTarget, spec: MeasureSpec, hooks: RunHooks = {}): Promise<RunStats> {
  const progress = hooks.progress ?? silentProgress;
  const signal = hooks.signal;
  const warmupMs = spec.warmupMs ?? 0;
  const warmUntil = performance.now() + warmupMs;
  const warmers = warmupMs > 0 ? spec.workers : Math.min(spec.workers, spec.warmupQueries);
  await Promise.all(
    Array.from({ length: warmers }, async (_, i) => {
      for (let q = i; q < spec.warmupQueries || performance.now() < warmUntil; q += spec.workers) {
        signal?.throwIfAborted();
        await target.query(spec.sql);
      }
    }),
  );

  const timed = spec.queries === undefined;
  const total = spec.queries ?? Infinity;
  progress.start(spec.label, timed ? (spec.durationMs ?? 0) : total);
  const recorder = new LatencyRecorder();
  const sampler = sampleStatus(target);
  const started = performance.now();
  const deadline = spec.durationMs === undefined ? Infinity : started + spec.durationMs;
  let issued = 0;
  let failed: unknown;

  const worker = async (): Promise<void> => {
    while (failed === undefined && issued < total && !signal?.aborted) {
      const t0 = performance.now();
      if (t0 >= deadline) return;
      issued++;
      try {
        await target.query(spec.sql);
      } catch (error) {
        failed ??= error;
        return;
      }
      const t1 = performance.now();
      recorder.record(t1 - t0);
      progress.update(timed ? t1 - started : recorder.count);
    }
  };
  await Promise.all(Array.from({ length: spec.workers }, worker));
  const elapsedMs = performance.now() - started;
  const load = sampler.stop();
  signal?.throwIfAborted();
  if (failed !== undefined) throw failed;

  const sorted = recorder.sorted();
  const qps = (sorted.length / elapsedMs) * 1000;
  const latency = summarize(sorted);
  progress.finish(`${formatRate(qps)} q/s, p50 ${formatMs(latency.p50)}, p99 ${formatMs(latency.p99)}`);
  return {
    queries: sorted.length,
    elapsedMs,
    qps,
    latency,
    histogram: histogram(sorted),
    ...load,
    meanHoldMs: qps > 0 ? (load.meanInUse / qps) * 1000 : NaN,
  };
}

function sampleStatus(target: BenchTarget): { stop(): { meanInUse: number; meanPending: number; maxPending: number } } {
  let samples = 0;
  let inUse = 0;
  let pending = 0;
  let maxPending = 0;
  const take = (): void => {
    const s = target.status();
    samples++;
    inUse += s.inUse;
    pending += s.pending;
    maxPending = Math.max(maxPending, s.pending);
  };
  const timer = setInterval(take, 20);
  return {
    stop() {
      clearInterval(timer);
      if (samples === 0) take();
      return { meanInUse: inUse / samples, meanPending: pending / samples, maxPending };
    },
  };
}

export function formatRate(qps: number): string {
  return qps >= 100 ? String(Math.round(qps)) : qps.toFixed(1);
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms >= 100 ? `${Math.round(ms)} ms` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}
