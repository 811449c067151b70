import type { Clock } from '../lib/clock.js';
import { collectGarbage } from '../lib/gc.js';
import { adapters, type BenchPool, type Library } from './adapters.js';
import type { Scenario } from './scenario.js';

const WALL_FACTOR = 3;

export interface Measurement {
  /** Operations per second over the timed part of the rounds. */
  rate: number;
  /** Wall time of the whole measurement, setup and teardown included. */
  wallMs: number;
}

/**
 * One measurement of one library in one scenario, on a fresh pool: warm it to `size` open
 * connections, run one untimed round, collect garbage, then repeat rounds until `minMs` of timed
 * work (at least one).
 * The clock's own cost, which every timed interval contains once, is taken off each round.
 * With the CPU clock on a machine busy with other work, `minMs` of CPU time can take far longer
 * in real time; rounds also stop after WALL_FACTOR times `minMs` of real time, so a run stays
 * within its time budget (the sample is then smaller, not wrong).
 */
export async function measure(scenario: Scenario, library: Library, clock: Clock): Promise<Measurement> {
  const { minMs } = scenario;
  const started = performance.now();
  const overhead = clockOverhead(clock);
  const pool = adapters[library](scenario.config);
  try {
    await warm(pool, scenario.config.size);
    // One untimed round on the fresh pool: whatever V8 re-specialises for a new pool's objects
    // happens here, not on the clock (queued-100000 is left out: one round is its whole sample).
    if (scenario.warmup) await scenario.round(pool, clock);
    collectGarbage();
    const wallDeadline = performance.now() + WALL_FACTOR * minMs;
    let ops = 0;
    let ms = 0;
    do {
      const sample = await scenario.round(pool, clock);
      ops += sample.ops;
      ms += sample.ms - overhead;
    } while (ms < minMs && performance.now() < wallDeadline);
    return { rate: (ops * 1000) / ms, wallMs: performance.now() - started };
  } finally {
    await pool.close();
  }
}

/** Opens every connection before timing, so no scenario times a connect. */
async function warm(pool: BenchPool, size: number): Promise<void> {
  const held = await Promise.all(Array.from({ length: size }, () => pool.acquire()));
  for (const handle of held) pool.release(handle);
}

const overheads = new Map<Clock, number>();

/** Mean reading of an empty interval: what reading the clock adds to every timed interval. */
function clockOverhead(clock: Clock): number {
  let overhead = overheads.get(clock);
  if (overhead === undefined) {
    const n = 20_000;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const start = clock();
      total += clock() - start;
    }
    overhead = total / n;
    overheads.set(clock, overhead);
  }
  return overhead;
}
