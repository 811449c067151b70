/** A cancellable timer handle; the real one is a Node `Timeout`, the test one is a fake. */
export interface TimerHandle {
  ref(): unknown;
  unref(): unknown;
}

/**
 * Time as the pool sees it. Injected so that tests drive lifetimes, idle timeouts and acquire
 * timeouts with a fake clock instead of sleeping.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are meaningful. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// performance.now() is monotonic: a wall-clock jump must not expire every connection at once.
// Node 20's global `performance` is a lazy accessor: a getter call on every access. Read it once.
const perf = performance;
export const systemClock: Clock = {
  now: () => perf.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
