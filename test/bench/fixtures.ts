import { findKnee } from '../../src/bench/knee.js';
import { histogram, summarize } from '../../src/bench/latency.js';
import type { BenchRun } from '../../src/bench/result.js';
import type { RunStats } from '../../src/bench/scenarios.js';

/** Deterministic stats: samples spread around `center` ms with a tail. */
function stats(center: number, queries: number): RunStats {
  const samples = Array.from({ length: queries }, (_, i) => center * (0.8 + 0.4 * ((i * 7919) % queries) / queries) + (i % 97 === 0 ? center * 3 : 0)).sort((a, b) => a - b);
  const latency = summarize(samples);
  const qps = 1000 / latency.mean;
  return { queries, elapsedMs: queries * latency.mean, qps, latency, histogram: histogram(samples), meanInUse: 1, meanPending: 0, maxPending: 0, meanHoldMs: latency.mean };
}

export function syntheticRun(sql = 'SELECT pg_sleep(0.01)'): BenchRun {
  const sizes = [1, 2, 4, 8, 16, 32, 64];
  const qpsBySize = [95, 190, 370, 720, 1400, 2700, 2400];
  const steps = sizes.map((poolSize, i) => ({ ...stats(10 + i, 400), poolSize, qps: qpsBySize[i]! }));
  return {
    database: { dialect: 'postgres', url: 'postgresql://havuz:***@127.0.0.1:5555/postgres', embedded: true, version: 'PostgreSQL 18.4' },
    startedAt: '2026-01-01T00:00:00.000Z',
    quick: true,
    poolVsNone: { sql: 'SELECT 1', pooled: stats(0.2, 1000), unpooled: stats(12, 100), speedup: 60 },
    sweep: { sql, workers: 64, steps, knee: findKnee(steps) },
  };
}
