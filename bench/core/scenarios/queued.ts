/**
 * queued-10, queued-1000, queued-100000: how the cost of an acquire grows with the queue.
 *
 * Untimed: acquire all 10 connections and hold them. Timed, one cycle: queue W acquires (10,
 * 1,000 or 100,000, all pending: this is where a pool arms a timer per waiter or not), then
 * release the 10 held connections. Each served waiter releases its connection at once, which
 * serves the next one, except the last 10 served, which keep theirs: they are the held
 * connections of the next cycle, so cycles follow each other with no untimed setup between them.
 * Counted: one served acquire, so a figure is the whole cost of an acquire that has to wait, from
 * enqueue to hand-off. A round is as many cycles as make about 20,000 served acquires (one cycle
 * for queued-100000); rounds repeat until 300 ms of timed work (queued-100000: one round).
 *
 * Every library: the standard pool (scenario.ts): size 10, min 0 and warmed to 10 open
 * connections, acquire timeout 30 s ON for every waiter (havuz acquireTimeoutMs, tarn and
 * generic-pool acquireTimeoutMillis, pg-pool connectionTimeoutMillis), create timeout 30 s, idle
 * reaping off, FIFO waiters, LIFO idle order (adapters.ts has the per-library option names).
 *
 * Floor: W `.then` calls on an already-resolved promise and their W continuations.
 * queued-100000 is not in the warm-up pass: it runs the same code as queued-1000, which is.
 */
import type { BenchPool } from '../adapters.js';
import { standardPool, type Scenario } from '../scenario.js';

const OPS_PER_ROUND = 20_000;

export function queued(waiters: number): Scenario {
  const size = standardPool.size;
  const cycles = Math.max(1, Math.round(OPS_PER_ROUND / waiters));
  return {
    name: `queued-${waiters}`,
    config: standardPool,
    minMs: waiters >= 100_000 ? 0 : 300,
    warmup: waiters <= 1000,
    async round(pool, clock) {
      let held = await Promise.all(Array.from({ length: size }, () => pool.acquire()));
      const drain = new Drain(pool, waiters, size);
      const started = clock();
      for (let i = 0; i < cycles; i++) held = await drain.cycle(held);
      const ms = clock() - started;
      for (const handle of held) pool.release(handle);
      return { ops: cycles * waiters, ms };
    },
  };
}

/**
 * The waiters of one round. Its callbacks are made once per round, not per cycle: the harness's
 * own cost per cycle is then one promise and one array, the same for every library (and tsx's
 * name-keeping wrapper around each named closure stays out of the timed loop).
 */
class Drain {
  readonly #pool: BenchPool;
  readonly #waiters: number;
  readonly #keepFrom: number;
  #kept: unknown[] = [];
  #settled = 0;
  #failure: unknown = undefined;
  #resolve: (kept: unknown[]) => void = () => {};
  #reject: (error: unknown) => void = () => {};

  constructor(pool: BenchPool, waiters: number, size: number) {
    this.#pool = pool;
    this.#waiters = waiters;
    this.#keepFrom = waiters - size;
  }

  /** Queues the waiters and releases `held`; resolves with the last `size` served, still held. */
  cycle(held: unknown[]): Promise<unknown[]> {
    this.#settled = 0;
    this.#kept = [];
    const done = new Promise<unknown[]>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    for (let i = 0; i < this.#waiters; i++) this.#pool.acquire().then(this.#served, this.#failed);
    for (const handle of held) this.#pool.release(handle);
    return done;
  }

  readonly #served = (handle: unknown): void => {
    if (this.#settled < this.#keepFrom) this.#pool.release(handle);
    else this.#kept.push(handle);
    this.#settle();
  };

  readonly #failed = (error: unknown): void => {
    this.#failure ??= error;
    this.#settle();
  };

  #settle(): void {
    if (++this.#settled < this.#waiters) return;
    if (this.#failure === undefined) this.#resolve(this.#kept);
    else this.#reject(this.#failure);
  }
}
