/**
 * contended-100-on-10: 100 concurrent borrowers on a pool of 10. Each loops: acquire, `await`
 * one microtask (the simulated use), release. 90 borrowers are always queued, so most acquires
 * wait and are served by a release: the hand-off path, with an acquire timeout armed.
 *
 * Every library: the standard pool (scenario.ts): size 10, min 0 and warmed to 10 open
 * connections before timing, acquire timeout 30 s ON (havuz acquireTimeoutMs, tarn and
 * generic-pool acquireTimeoutMillis, pg-pool connectionTimeoutMillis), create timeout 30 s, idle
 * reaping off, FIFO waiters, LIFO idle order (adapters.ts has the per-library option names).
 *
 * Counted: one acquire + use + release cycle. Timed: batches of 20,000 cycles shared by the 100
 * borrowers, until 300 ms. Floor: the same loop around an already-resolved promise.
 */
import { batchScenario } from '../scenario.js';

const BORROWERS = 100;

export const contended = batchScenario('contended-100-on-10', 20_000, async (pool, ops) => {
  let left = ops;
  const borrower = async (): Promise<void> => {
    while (left-- > 0) {
      const handle = await pool.acquire();
      await undefined;
      pool.release(handle);
    }
  };
  await Promise.all(Array.from({ length: BORROWERS }, borrower));
});
