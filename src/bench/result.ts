import type { Knee } from './knee.js';
import type { LatencySummary } from './latency.js';
import type { LoadResult, PoolVsNoneResult, RunStats, SweepResult } from './scenarios.js';

/** Everything one `havuz bench` run measured; the table, the JSON and the HTML report are views of it. */
export interface BenchRun {
  database: {
    dialect: string;
    /** Redacted. */
    url: string;
    /** True when the bench started its own throwaway PostgreSQL. */
    embedded: boolean;
    version?: string;
  };
  startedAt: string;
  quick: boolean;
  poolVsNone?: PoolVsNoneResult;
  load?: LoadResult;
  sweep?: SweepResult;
}

export interface SweepRow {
  poolSize: number;
  qps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  mean_ms: number;
  meanHold_ms: number;
}

/**
 * The `--json` form: `speedup` and `sweep` on top (the documented, stable keys), then the detail.
 * Histograms stay out (they are in the HTML report); numbers are rounded to what is meaningful.
 */
export function toJson(run: BenchRun): object {
  return {
    speedup: run.poolVsNone ? round(run.poolVsNone.speedup, 1) : null,
    sweep: run.sweep?.steps.map(sweepRow) ?? [],
    knee: run.sweep?.knee ? kneeJson(run.sweep.knee) : null,
    poolVsNone: run.poolVsNone
      ? { sql: run.poolVsNone.sql, pooled: statsJson(run.poolVsNone.pooled), unpooled: statsJson(run.poolVsNone.unpooled) }
      : null,
    load: run.load
      ? { sql: run.load.sql, workers: run.load.workers, poolSize: run.load.poolSize, ...statsJson(run.load) }
      : null,
    sweepSql: run.sweep?.sql ?? null,
    sweepWorkers: run.sweep?.workers ?? null,
    database: run.database,
    startedAt: run.startedAt,
    quick: run.quick,
  };
}

export function sweepRow(step: SweepResult['steps'][number]): SweepRow {
  return {
    poolSize: step.poolSize,
    qps: round(step.qps, 1),
    p50_ms: round(step.latency.p50, 3),
    p95_ms: round(step.latency.p95, 3),
    p99_ms: round(step.latency.p99, 3),
    mean_ms: round(step.latency.mean, 3),
    meanHold_ms: round(step.meanHoldMs, 3),
  };
}

function kneeJson(knee: Knee): object {
  return { poolSize: knee.poolSize, qps: round(knee.qps, 1), maxQps: round(knee.maxQps, 1), maxAtPoolSize: knee.maxAtPoolSize, threshold: knee.threshold, atLargest: knee.atLargest };
}

function statsJson(s: RunStats): object {
  return {
    queries: s.queries,
    elapsed_ms: round(s.elapsedMs, 1),
    qps: round(s.qps, 1),
    latency_ms: latencyJson(s.latency),
    meanInUse: round(s.meanInUse, 2),
    maxPending: s.maxPending,
    meanHold_ms: round(s.meanHoldMs, 3),
  };
}

function latencyJson(l: LatencySummary): object {
  return { min: round(l.min, 3), mean: round(l.mean, 3), p50: round(l.p50, 3), p95: round(l.p95, 3), p99: round(l.p99, 3), max: round(l.max, 3) };
}

function round(n: number, digits: number): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
