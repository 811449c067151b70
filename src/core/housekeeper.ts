import type { Clock, TimerHandle } from './clock.js';
import type { PoolEntry } from './entry.js';

/**
 * The pool's single background timer (HikariCP's housekeeper): idle timeout, max lifetime,
 * min-idle top-up and leak checks all run from one unref'd tick, so an idle pool costs one wake-up
 * per period and never keeps the process alive.
 */
export class Housekeeper {
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly tick: () => void,
  ) {}

  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped) return;
      this.tick();
      this.#schedule();
    }, this.periodMs);
    this.#timer.unref();
  }
}

/**
 * Idle connections past `idleTimeoutMs`, oldest first, never taking the idle count below `keep`
 * (min idle): those are the ones the pool is sized to hold.
 */
export function idleTimedOut<T>(idle: readonly PoolEntry<T>[], now: number, idleTimeoutMs: number, keep: number): PoolEntry<T>[] {
  if (idleTimeoutMs <= 0 || idle.length <= keep) return [];
  const expired = idle.filter((e) => now - e.lastUsedAt >= idleTimeoutMs).sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  return expired.slice(0, Math.max(0, idle.length - keep));
}

/** Checkouts held at least `thresholdMs` that have not been reported yet. */
export function newLeaks<T>(entries: Iterable<PoolEntry<T>>, now: number, thresholdMs: number): PoolEntry<T>[] {
  const leaks: PoolEntry<T>[] = [];
  if (thresholdMs <= 0) return leaks;
  for (const e of entries) {
    if (e.leased && !e.leakReported && now - e.checkedOutAt >= thresholdMs) leaks.push(e);
  }
  return leaks;
}
