import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LatencyRecorder } from '../../src/bench/latency.js';
import { collectGarbage } from '../lib/gc.js';
import { openClient, type BenchClient, type ClientConfig } from './libraries.js';
import type { Database, Library } from './scenarios.js';

/** Parent to child: measure one library on one scenario. */
export interface MeasureRequest extends ClientConfig {
  database: Database;
  sql: string;
  concurrency: number;
  warmupMs: number;
  timedMs: number;
}

export interface Measurement {
  /** Queries that completed inside the timed window. */
  queries: number;
  timedMs: number;
  /** Latency of each of those queries in ms, sorted ascending. */
  latencies: Float64Array;
  /** CPU time of this process (user + system) per completed query over the timed window, in µs. */
  cpuUsPerQuery: number;
  /** Connections open when the timed window began (undefined: the library does not say). */
  connections: number | undefined;
  /**
   * p99 of this process's event-loop delay over the window, ms: how late callbacks ran. On a
   * shared machine this is mostly time spent waiting for a core; it bounds how much of a
   * latency tail is this process's own doing.
   */
  loopDelayP99Ms: number;
  /** How long the warm-up took: at least the requested time, longer while the pool was still opening connections. */
  warmupMs: number;
}

/**
 * One measurement on a fresh client (pool): `concurrency` workers each run the statement in a
 * loop, without pause, through a warm-up and then a timed window of timedMs.
 *
 * The warm-up opens the pool's connections, prepares statements and warms the JIT; nothing in it
 * is counted. It goes on while the pool is still opening connections (it has fewer than
 * min(size, concurrency) and the number changed in the last STABLE_MS), then for warmupMs more,
 * so that queries queued while the pool was short of connections have left the queue; at most
 * MAX_WARMUP_MS in all. havuz opens at most 2 connections at a time by default (maxConnecting),
 * so on a loaded machine it takes longer to fill than pg.Pool, which opens all it needs at once;
 * without this, the first ~150 ms of havuz's window at 200 workers carried waits from its
 * ramp-up and raised its p99 by about a third. postgres.js and no-pool do not say how many
 * connections they have open; they get warmupMs. The workers do not stop between the two
 * phases, so the window sees the steady state (a full queue at 200 workers), not a start-up burst.
 *
 * Counted: every query that completes inside the window, with its whole latency (waiting for a
 * connection included). Workers start no query after the window.
 */
export async function measure(library: Library, request: MeasureRequest): Promise<Measurement> {
  const client = openClient(library, request.database, request);
  try {
    collectGarbage();
    return await run(client, request);
  } finally {
    await client.close();
  }
}

/** How the warm-up decides that a pool is warm (see measure()). */
const POLL_MS = 25;
const STABLE_MS = 200;
const MAX_WARMUP_MS = 3_000;
/** Coarse, so the monitor's own timer barely adds wake-ups; Node's figures include this interval. */
const LOOP_DELAY_RESOLUTION_MS = 10;

async function run(client: BenchClient, request: MeasureRequest): Promise<Measurement> {
  const { sql, concurrency, size, warmupMs, timedMs } = request;
  const recorder = new LatencyRecorder();
  const begun = performance.now();
  // The timed window, open once the warm-up ends.
  let from = Infinity;
  let to = Infinity;
  let completed = 0;
  let failure: unknown;
  // CPU and the completed count are read together at both edges of the window, so their ratio
  // is exact even when a timer fires a little late on a busy loop.
  let cpuAtFrom = 0;
  let completedAtFrom = 0;
  let cpuAtTo: number | undefined;
  let completedAtTo = 0;
  let connections: number | undefined;
  let endTimer: NodeJS.Timeout | undefined;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  const cpuMs = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const closeWindow = (): void => {
    if (cpuAtTo !== undefined) return;
    cpuAtTo = cpuMs();
    completedAtTo = completed;
    loopDelay.disable();
  };

  const wanted = Math.min(size, concurrency);
  let open = client.connections();
  let stableSince = begun;
  let warmSince: number | undefined;
  const poll = setInterval(() => {
    const now = performance.now();
    const current = client.connections();
    if (current !== open) {
      open = current;
      stableSince = now;
    }
    const warm = current === undefined || current >= wanted || now - stableSince >= STABLE_MS;
    if (warm) warmSince ??= now;
    // Another warmupMs once the pool is full: queries queued while it had fewer connections waited
    // longer than the steady state ever makes them, and must leave the queue before the window.
    const settled = warmSince !== undefined && now - warmSince >= warmupMs;
    if (now - begun < warmupMs || (!settled && now - begun < MAX_WARMUP_MS)) return;
    clearInterval(poll);
    from = now;
    to = now + timedMs;
    cpuAtFrom = cpuMs();
    completedAtFrom = completed;
    connections = current;
    loopDelay.enable();
    endTimer = setTimeout(closeWindow, timedMs);
  }, POLL_MS);

  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      const start = performance.now();
      if (start >= to) return;
      try {
        await client.query(sql);
      } catch (error) {
        failure ??= error;
        return;
      }
      const end = performance.now();
      completed++;
      if (end >= from && end < to) recorder.record(end - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(poll);
  clearTimeout(endTimer);
  if (failure !== undefined) throw failure;
  // The last queries can finish before a late timer fires; then the window ends here.
  closeWindow();
  const windowQueries = completedAtTo - completedAtFrom;
  return {
    queries: recorder.count,
    timedMs,
    latencies: recorder.sorted(),
    connections,
    warmupMs: from - begun,
    loopDelayP99Ms: loopDelay.count > 0 ? Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS) : NaN,
    cpuUsPerQuery: windowQueries > 0 ? ((cpuAtTo! - cpuAtFrom) * 1000) / windowQueries : NaN,
  };
}
