import { LatencyRecorder } from '../../src/bench/latency.js';
import { collectGarbage } from '../lib/gc.js';
import { openClient, type BenchClient, type ClientConfig } from './libraries.js';
import type { Database, Library } from './scenarios.js';

/** Parent to child: measure one library on one scenario. */
export interface MeasureRequest extends ClientConfig {
  id: number;
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
  /** How long the warm-up took: at least the requested time, longer while the pool was still opening connections. */
  warmupMs: number;
  /** Wall time of the whole measurement, opening and closing the client included. */
  wallMs: number;
}

/**
 * One measurement on a fresh client (pool): `concurrency` workers each run the statement in a
 * loop, without pause, through a warm-up and then a timed window of timedMs.
 *
 * The warm-up opens the pool's connections, prepares statements and warms the JIT; nothing in it
 * is counted. It lasts at least warmupMs, and longer while the pool is still opening connections
 * (it has fewer than min(size, concurrency) and the number changed in the last STABLE_MS), up to
 * MAX_WARMUP_MS: havuz opens at most 2 at a time by default (maxConnecting), so on a loaded
 * machine it needs longer than pg.Pool, which opens all it needs at once. postgres.js does not
 * say how many it has open; it gets warmupMs. The workers do not stop between the two phases, so
 * the window sees the steady state (a full queue at 200 workers), not a start-up burst.
 *
 * Counted: every query that completes inside the window, with its whole latency (waiting for a
 * connection included). Workers start no query after the window.
 */
export async function measure(library: Library, request: MeasureRequest): Promise<Measurement> {
  const started = performance.now();
  const client = openClient(library, request.database, request);
  try {
    collectGarbage();
    return await run(client, request, started);
  } finally {
    await client.close();
  }
}

/** How the warm-up decides that a pool is warm (see measure()). */
const POLL_MS = 25;
const STABLE_MS = 200;
const MAX_WARMUP_MS = 3_000;

async function run(client: BenchClient, request: MeasureRequest, started: number): Promise<Measurement> {
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
  const cpuMs = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const closeWindow = (): void => {
    cpuAtTo ??= cpuMs();
    completedAtTo = completed;
  };

  const wanted = Math.min(size, concurrency);
  let open = client.connections();
  let stableSince = begun;
  const poll = setInterval(() => {
    const now = performance.now();
    const current = client.connections();
    if (current !== open) {
      open = current;
      stableSince = now;
    }
    const warm = current === undefined || current >= wanted || now - stableSince >= STABLE_MS;
    if (now - begun < warmupMs || (!warm && now - begun < MAX_WARMUP_MS)) return;
    clearInterval(poll);
    from = now;
    to = now + timedMs;
    cpuAtFrom = cpuMs();
    completedAtFrom = completed;
    connections = current;
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
    cpuUsPerQuery: windowQueries > 0 ? ((cpuAtTo! - cpuAtFrom) * 1000) / windowQueries : NaN,
    wallMs: performance.now() - started,
  };
}
