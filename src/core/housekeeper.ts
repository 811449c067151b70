import type { Clock, TimerHandle } from './clock.js';
import type { PoolEntry } from './entry.js';
import type { CloseReason } from './events.js';
import type { Ledger } from './ledger.js';
import type { ResolvedPoolOptions } from './options.js';

/** What housekeeping does to its pool's entries. */
export interface HousekeeperOwner<T> {
  /** Why this entry should go now (lifetime, invalidation, broken), or undefined. */
  retireReason(entry: PoolEntry<T>, now: number): CloseReason | undefined;
  destroy(entry: PoolEntry<T>, reason: CloseReason): void;
  /** A checkout has been held past leakDetectionMs (reported once per checkout). */
  leaked(entry: PoolEntry<T>, heldMs: number): void;
  /** Open what min idle (or waiters) still want. */
  fill(): void;
}

/**
 * Everything the pool does with time passing, on one unref'd timer (HikariCP's housekeeper):
 * recycle idle connections past their lifetime or generation, close those idle past
 * idleTimeoutMs down to minIdle, report leaks, top min idle back up. An idle pool costs one
 * wake-up per period and never keeps the process alive.
 */
export class Housekeeper<T> {
  readonly #clock: Clock;
  readonly #options: ResolvedPoolOptions;
  readonly #ledger: Ledger<T>;
  readonly #owner: HousekeeperOwner<T>;
  #timer: TimerHandle | undefined = undefined;
  #stopped = false;

  constructor(options: ResolvedPoolOptions, ledger: Ledger<T>, owner: HousekeeperOwner<T>) {
    this.#clock = options.clock;
    this.#options = options;
    this.#ledger = ledger;
    this.#owner = owner;
  }

  /** Only a pool with something timed to do needs the timer at all. */
  static wanted(o: ResolvedPoolOptions): boolean {
    return isFiniteTime(o.idleTimeoutMs) || isFiniteTime(o.maxLifetimeMs) || o.leakDetectionMs > 0 || o.minIdle > 0;
  }

  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped) return;
      this.tick(this.#clock.now());
      this.start();
    }, this.#options.housekeepingMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  tick(now: number): void {
    const o = this.#options;
    const { idle } = this.#ledger;
    for (const entry of idle.toArray()) {
      const retire = this.#owner.retireReason(entry, now);
      if (retire !== undefined) this.#owner.destroy(entry, retire);
    }
    // The idle list is in the order entries went idle: the expired ones are at its head.
    if (isFiniteTime(o.idleTimeoutMs)) {
      for (let e = idle.head; e !== undefined && idle.length > o.minIdle && now - e.idleSince >= o.idleTimeoutMs; e = idle.head) {
        this.#owner.destroy(e, 'idle-timeout');
      }
    }
    if (o.leakDetectionMs > 0) {
      for (const e of this.#ledger.open) {
        if (e.state === 'leased' && !e.leakReported && now - e.checkedOutAt >= o.leakDetectionMs) {
          e.leakReported = true;
          this.#owner.leaked(e, now - e.checkedOutAt);
        }
      }
    }
    this.#owner.fill();
  }
}

/** 0 and Infinity both mean "never" for idle timeout and max lifetime. */
export function isFiniteTime(ms: number): boolean {
  return ms > 0 && ms !== Infinity;
}
