import type { Clock } from '../lib/clock.js';
import type { BenchPool, PoolConfig } from './adapters.js';

/** Timed work: how many operations, in how many milliseconds (untimed setup excluded). */
export interface Sample {
  ops: number;
  ms: number;
}

export interface Scenario {
  readonly name: string;
  readonly config: PoolConfig;
  /** measure() repeats `round` until this much timed work has accumulated (at least one round). */
  readonly minMs: number;
  /** Whether the warm-up pass runs it; a scenario whose code path another one warms can skip it. */
  readonly warmup: boolean;
  /** One round on a warmed pool; `clock` times the part that counts. */
  round(pool: BenchPool, clock: Clock): Promise<Sample>;
}

/**
 * The one pool configuration of every scenario: 10 connections, 30 s acquire and create timeouts
 * (timeouts ON for every library). adapters.ts maps it onto each library's option names.
 */
export const standardPool: PoolConfig = { size: 10, acquireTimeoutMs: 30_000, createTimeoutMs: 30_000 };

/**
 * A scenario whose round is `ops` operations timed as one interval, with no untimed setup:
 * `run` does them on the warmed pool.
 */
export function batchScenario(name: string, ops: number, run: (pool: BenchPool, ops: number) => Promise<void>): Scenario {
  return {
    name,
    config: standardPool,
    minMs: 300,
    warmup: true,
    async round(pool, clock) {
      const started = clock();
      await run(pool, ops);
      return { ops, ms: clock() - started };
    },
  };
}
