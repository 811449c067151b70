import type { Clock, TimerHandle } from '../../src/core/clock.js';
import { MAX_TIMER_MS } from '../../src/core/timeouts.js';

interface FakeTimer extends TimerHandle {
  readonly seq: number;
  readonly due: number;
  readonly fn: () => void;
  refed: boolean;
}

/** Lets every promise callback that is already queued run (one macrotask turn drains them all). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The pool's Clock, driven by the test: nothing fires until `advance` moves time past it. Tracks
 * whether each timer is ref'd, so a test can tell what would keep a real process alive.
 */
export class FakeClock implements Clock {
  #now = 1_000;
  #seq = 0;
  readonly #timers = new Set<FakeTimer>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // Node fires a delay of 2^31 ms or more after 1 ms: a pool that arms one has a bug, so fail loudly.
    if (!(ms >= 0) || !(ms <= MAX_TIMER_MS)) throw new RangeError(`fake clock: bad delay ${ms}`);
    const timer: FakeTimer = {
      seq: this.#seq++,
      due: this.#now + ms,
      fn,
      refed: true,
      ref: () => ((timer.refed = true), timer),
      unref: () => ((timer.refed = false), timer),
    };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as FakeTimer);
  }

  /** Timers still scheduled. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Scheduled timers that would keep a real process alive. */
  get refed(): number {
    let n = 0;
    for (const t of this.#timers) if (t.refed) n++;
    return n;
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way in due order (ties in
   * the order they were set), each at its own due time, and letting promise callbacks run after
   * each one, so timers that those callbacks set within the window fire too.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (let timer = this.#next(target); timer !== undefined; timer = this.#next(target)) {
      this.#timers.delete(timer);
      this.#now = timer.due;
      timer.fn();
      await flush();
    }
    this.#now = target;
  }

  #next(until: number): FakeTimer | undefined {
    let first: FakeTimer | undefined;
    for (const t of this.#timers) {
      if (t.due > until) continue;
      if (first === undefined || t.due < first.due || (t.due === first.due && t.seq < first.seq)) first = t;
    }
    return first;
  }
}

/** A small seeded generator (mulberry32), so jitter is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
