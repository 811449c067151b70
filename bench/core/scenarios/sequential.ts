/**
 * sequential: one borrower, acquire then release, in a loop; nothing else runs.
 *
 * Every library: the standard pool (scenario.ts): size 10, min 0 and warmed to 10 open
 * connections before timing, acquire and create timeouts 30 s, idle reaping off, LIFO idle order
 * (adapters.ts has the per-library option names). With one borrower only one connection is ever
 * in use, so this is the uncontended fast path: an idle connection, no waiting.
 *
 * Counted: one acquire + release pair. Timed: batches of 20,000 pairs, until 300 ms.
 * Floor: `await` of an already-resolved promise per pair.
 */
import { batchScenario } from '../scenario.js';

export const sequential = batchScenario('sequential', 20_000, async (pool, ops) => {
  for (let i = 0; i < ops; i++) pool.release(await pool.acquire());
});
