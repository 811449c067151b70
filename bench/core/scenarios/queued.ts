/**
 * queued-10, queued-1000, queued-100000: how the cost of an acquire grows with the queue.
 *
 * One round. Untimed: acquire all 10 connections and hold them. Timed: queue W waiters (10,
 * 1,000 or 100,000 acquire calls, all pending: this is where a pool arms a timer per waiter or
 * not), then release the 10 held connections; each waiter, when served, releases its connection
 * at once, which serves the next one. The clock stops when all W are served. Counted: one
 * served acquire, so a figure is the whole cost of an acquire that has to wait, enqueue to
 * hand-off. Rounds repeat until 100 ms of timed work; queued-100000 runs a single round.
 *
 * Every library: the standard pool (scenario.ts): size 10, min 0 and warmed to 10 open
 * connections, acquire timeout 30 s ON for every waiter (havuz acquireTimeoutMs, tarn and
 * generic-pool acquireTimeoutMillis, pg-pool connectionTimeoutMillis), create timeout 30 s, idle
 * reaping off, FIFO waiters, LIFO idle order (adapters.ts has the per-library option names).
 *
 * Floor: W `.then` calls on an already-resolved promise and their W continuations.
 * queued-100000 is not in the warm-up pass: it runs the same code as queued-1000, which is.
 */
import { standardPool, type Scenario } from '../scenario.js';

export function queued(waiters: number): Scenario {
  const size = standardPool.size;
  return {
    name: `queued-${waiters}`,
    config: standardPool,
    minMs: waiters >= 100_000 ? 0 : 100,
    warmup: waiters <= 1000,
    async round(pool, clock) {
      const held = await Promise.all(Array.from({ length: size }, () => pool.acquire()));
      let settled = 0;
      let failure: unknown;
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const served = (handle: unknown): void => {
        pool.release(handle);
        if (++settled === waiters) finish();
      };
      const failed = (error: unknown): void => {
        failure ??= error;
        if (++settled === waiters) finish();
      };
      const started = clock();
      for (let i = 0; i < waiters; i++) pool.acquire().then(served, failed);
      for (const handle of held) pool.release(handle);
      await finished;
      const ms = clock() - started;
      if (failure !== undefined) throw failure;
      return { ops: waiters, ms };
    },
  };
}
