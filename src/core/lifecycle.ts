import type { Clock, TimerHandle } from './clock.js';
import type { Creator } from './creator.js';
import type { PoolEntry } from './entry.js';
import { PoolClosedError, PoolDrainingError } from './errors.js';
import type { CloseReason } from './events.js';
import type { Ledger } from './ledger.js';
import type { WaitRoom } from './waiters.js';

/** open → draining (close with drain) → closing (close, or the end of a drain). */
export type Phase = 'open' | 'draining' | 'closing';

/** What closing needs from its pool. */
export interface LifecycleOwner<T> {
  destroy(entry: PoolEntry<T>, reason: CloseReason): void;
  /** Upkeep stops. */
  stopping(): void;
  /** Resolves once every connection's close has finished. */
  settled(): Promise<void>;
  /** At least minIdle connections are open. */
  minIdleOpen(): boolean;
  /** failFast applies: the database cannot be reached. */
  unreachable(): boolean;
  /** Open what waiters and min idle want. */
  fill(): void;
}

/**
 * Closing, and all of it (asyncpg's close() and terminate(), plus SQLAlchemy and asyncpg users'
 * "stop new work, finish what was asked, then close"): the phase every acquire checks, the wait
 * for checkouts (and, draining, for the queue) bounded by a deadline, and the final sweep that
 * closes whatever is left.
 */
export class Lifecycle<T> {
  phase: Phase = 'open';
  readonly #name: string;
  readonly #clock: Clock;
  readonly #ledger: Ledger<T>;
  readonly #waiters: WaitRoom<unknown>;
  readonly #creator: Creator<T>;
  readonly #owner: LifecycleOwner<T>;
  #closed: Promise<void> | undefined;
  /** Settles the wait of a close for checkouts (and, draining, the queue) to finish. */
  #quiet: (() => void) | undefined;
  readonly #ready: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(name: string, clock: Clock, ledger: Ledger<T>, waiters: WaitRoom<unknown>, creator: Creator<T>, owner: LifecycleOwner<T>) {
    this.#name = name;
    this.#clock = clock;
    this.#ledger = ledger;
    this.#waiters = waiters;
    this.#creator = creator;
    this.#owner = owner;
  }

  /** asyncpg's `await create_pool(min_size=…)`: resolves once minIdle are open, rejects with the connect error. */
  ready(): Promise<void> {
    if (this.phase !== 'open') return Promise.reject(this.closedError());
    if (this.#owner.minIdleOpen()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#ready.push({ resolve, reject });
      this.#owner.fill();
    });
  }

  /** Settles ready() callers: resolved once minIdle are open, rejected with a connect error a waiter would get too. */
  readyCheck(error: unknown): void {
    if (this.#ready.length === 0) return;
    const fail = error !== undefined && (this.#owner.unreachable() || !this.#creator.everConnected || this.phase !== 'open');
    if (!fail && !this.#owner.minIdleOpen()) return;
    for (const r of this.#ready.splice(0)) {
      if (fail) r.reject(error);
      else r.resolve();
    }
  }

  close(timeoutMs: number, drain: boolean): Promise<void> {
    if (this.#closed !== undefined) {
      if (timeoutMs === 0) this.#quiet?.(); // terminate() during a graceful close: stop waiting
      return this.#closed;
    }
    this.#closed = (async () => {
      if (drain) {
        this.phase = 'draining';
        for (const entry of this.#ledger.idle.toArray()) this.#owner.destroy(entry, 'pool-closed');
        if (!(await this.#whenQuiet(timeoutMs))) this.#waiters.rejectAll(() => new PoolDrainingError(this.#name, timeoutMs));
        await this.#shutDown(0);
      } else {
        await this.#shutDown(timeoutMs);
      }
    })();
    return this.#closed;
  }

  /** Called whenever a connection closes or a waiter leaves: the close may be waiting for exactly that. */
  check(): void {
    if (this.#quiet !== undefined && this.#isQuiet()) this.#quiet();
  }

  closedError(): PoolClosedError {
    return new PoolClosedError(this.#name, this.phase === 'draining' ? 'is closing (draining)' : 'is closed');
  }

  async #shutDown(timeoutMs: number): Promise<void> {
    this.phase = 'closing';
    const closed = new PoolClosedError(this.#name);
    this.#owner.stopping();
    this.readyCheck(closed);
    this.#creator.stop();
    this.#waiters.stop();
    this.#waiters.rejectAll(() => new PoolClosedError(this.#name));
    this.#creator.cancelAll(closed);
    for (const entry of this.#ledger.idle.toArray()) this.#owner.destroy(entry, 'pool-closed');
    await this.#whenQuiet(timeoutMs);
    for (const entry of [...this.#ledger.open]) this.#owner.destroy(entry, 'pool-closed');
    await this.#owner.settled();
  }

  /** Resolves true once nothing is in use, queued or (draining) connecting; false at `timeoutMs`. */
  #whenQuiet(timeoutMs: number): Promise<boolean> {
    if (this.#isQuiet()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer: TimerHandle | undefined = timeoutMs === Infinity ? undefined : this.#clock.setTimeout(() => finish(false), timeoutMs);
      const finish = (quiet: boolean): void => {
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        this.#quiet = undefined;
        resolve(quiet);
      };
      this.#quiet = () => finish(this.#isQuiet());
    });
  }

  #isQuiet(): boolean {
    const ledger = this.#ledger;
    return ledger.inUse === 0 && this.#waiters.length === 0 && (this.phase === 'closing' || ledger.connecting === 0);
  }
}
