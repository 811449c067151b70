import type { Clock, TimerHandle } from './clock.js';
import { PoolEntry } from './entry.js';
import { CreateFailedError } from './errors.js';
import type { Factory } from './factory.js';
import type { Ledger } from './ledger.js';
import type { ResolvedPoolOptions } from './options.js';
import { backgroundTimer } from './timeouts.js';

/** What the creator tells its pool. */
export interface CreatorOwner<T> {
  /** A connection is open and initialised; the entry is still `connecting`. */
  opened(entry: PoolEntry<T>, durationMs: number): void;
  /** A connect (or its init) failed, timed out or was cancelled; the entry is closed already. */
  failed(error: CreateFailedError): void;
  /** The connection died on its own (the driver's onBroken). */
  broken(entry: PoolEntry<T>, error: unknown): void;
  /** The backoff is over: the pool may want to open connections again. */
  retry(): void;
  /** Close a connection the pool never got to use, in the background. */
  discard(entry: PoolEntry<T>): void;
}

/**
 * Opening connections, and all of it: at most `maxConnecting` connects at once (one while the
 * database keeps refusing), each bounded by `createTimeoutMs` and cancelled by the pool's close,
 * and a backoff after failures, so no path can open connections in a tight loop. A failed ping,
 * reset or init counts as a failure too (`noteFailure`): each of those means the next connect
 * should wait.
 */
export class Creator<T> {
  readonly #factory: Factory<T>;
  readonly #options: ResolvedPoolOptions;
  readonly #clock: Clock;
  readonly #ledger: Ledger<T>;
  readonly #owner: CreatorOwner<T>;
  readonly #cancels = new Set<(error: Error) => void>();
  #failures = 0;
  #retryAt = 0;
  /** When a connection that had opened last failed its ping or reset. */
  #lastInUseFailureAt = -Infinity;
  #retryTimer: TimerHandle | undefined = undefined;
  #retryTimerDue = 0;
  /** When the current run of failures began; NaN while connects succeed. */
  failingSince = NaN;
  /** The driver's error from the most recent failed connect, until one succeeds. */
  lastError: unknown = undefined;
  /** Some connect has succeeded since the pool was created. */
  everConnected = false;

  constructor(factory: Factory<T>, options: ResolvedPoolOptions, ledger: Ledger<T>, owner: CreatorOwner<T>) {
    this.#factory = factory;
    this.#options = options;
    this.#clock = options.clock;
    this.#ledger = ledger;
    this.#owner = owner;
  }

  get failing(): boolean {
    return this.#failures > 0;
  }

  /** How long the next connect must still wait. */
  get backoffMs(): number {
    return Math.max(0, this.#retryAt - this.#clock.now());
  }

  /**
   * How many connects may start now, given the backoff and `maxConnecting`. While backing off it
   * arms one timer that calls the owner's `retry` when the wait is over; it keeps the process
   * alive only when someone waits (`keepAlive`).
   */
  room(keepAlive: boolean): number {
    if (this.#failures > 0 && this.lastError === undefined && this.#quietSince(this.#lastInUseFailureAt)) this.resetBackoff();
    if (this.#retryAt > 0) {
      const wait = this.#retryAt - this.#clock.now();
      if (wait > 0) {
        // A timer armed for a later retry (a backoff since cut short) would leave waiters idle.
        if (this.#retryTimer !== undefined && this.#retryTimerDue > this.#retryAt) this.stop();
        if (this.#retryTimer === undefined) {
          this.#retryTimerDue = this.#retryAt;
          this.#retryTimer = backgroundTimer(
            this.#clock,
            () => {
              this.#retryTimer = undefined;
              this.#owner.retry();
            },
            wait,
          );
        }
        // A waiter with no deadline has no timer of its own: the retry is what it waits for.
        if (keepAlive) this.#retryTimer.ref();
        return 0;
      }
    }
    // While the database keeps refusing, one attempt at a time: a probe, not a storm.
    const limit = this.#failures > 0 ? 1 : this.#options.maxConnecting;
    return Math.max(0, limit - this.#ledger.connecting);
  }

  /** Starts one connect for a new entry of this generation. */
  start(generation: number): void {
    // While failing, connects are spaced by the backoff even when they succeed: connections that
    // open fine but fail in use must not be replaced in a loop.
    if (this.#failures > 0) this.#retryAt = this.#clock.now() + this.#delay();
    const entry = new PoolEntry<T>();
    entry.generation = generation;
    this.#ledger.add(entry);
    const controller = new AbortController();
    const started = this.#clock.now();
    let settled = false;
    let opened = false;
    const settle = (error: CreateFailedError | undefined): boolean => {
      if (settled) return false;
      settled = true;
      this.#clock.clearTimeout(timer);
      this.#cancels.delete(cancel);
      if (error === undefined) {
        this.#succeeded();
        this.#owner.opened(entry, this.#clock.now() - started);
      } else {
        this.#ledger.move(entry, 'closed');
        this.noteFailure(error.cause ?? error, false);
        this.#owner.failed(error);
      }
      return true;
    };
    const cancel = (error: Error, timedOut = false): void => {
      controller.abort(error);
      settle(new CreateFailedError(this.#options.name, error, { timedOut, phase: opened ? 'init' : 'create' }));
    };
    this.#cancels.add(cancel);
    const ms = this.#options.createTimeoutMs;
    // createTimeoutMs covers the connect and the init together.
    const timer = backgroundTimer(this.#clock, () => cancel(new Error(`${opened ? 'init' : 'connect'} timed out after ${ms} ms`), true), ms);
    const open = async (): Promise<void> => {
      const connection = await this.#factory.create({
        signal: controller.signal,
        onBroken: (error) => this.#owner.broken(entry, error),
      });
      entry.connection = connection;
      opened = true;
      if (settled) return;
      if (this.#factory.init !== undefined) await this.#factory.init(connection);
    };
    open().then(
      () => {
        // Settled already: it timed out or the pool closed while connecting; close it quietly.
        if (!settle(undefined)) this.#owner.discard(entry);
      },
      (error: unknown) => {
        // A connection whose init failed is closed, never leaked.
        if (opened) this.#owner.discard(entry);
        settle(new CreateFailedError(this.#options.name, error, { phase: opened ? 'init' : 'create' }));
      },
    );
  }

  /**
   * Something went wrong that a new connection would have to redo (a connect, a ping, a reset):
   * the next connect waits. Exponential backoff from createBackoffMs to createBackoffMaxMs, each
   * delay stretched by up to 25% at random so that many pools do not retry in step. The defaults
   * (100 ms, 100 ms) retry 8 to 10 times a second and serve again within ~125 ms of the
   * database's return.
   */
  noteFailure(error: unknown, inUse = true): void {
    const now = this.#clock.now();
    if (this.#failures === 0) this.failingSince = now;
    this.#retryAt = now + this.#delay();
    this.#failures++;
    if (inUse) this.#lastInUseFailureAt = now;
    else this.lastError = error;
  }

  /** Forget the backoff (invalidateAll: the address may have changed, try at once). */
  resetBackoff(): void {
    this.#failures = 0;
    this.#retryAt = 0;
    this.#lastInUseFailureAt = -Infinity;
    this.failingSince = NaN;
  }

  /**
   * Connections that open fine but keep failing in use end their streak only after two backoff
   * ceilings without such a failure: a healthy neighbour does not prove the failing ones well.
   */
  #quietSince(at: number): boolean {
    return this.#clock.now() - at > 2 * this.#options.createBackoffMaxMs;
  }

  #delay(): number {
    const o = this.#options;
    return Math.min(o.createBackoffMaxMs, o.createBackoffMs * 2 ** this.#failures) * (1 + 0.25 * o.random());
  }

  #succeeded(): void {
    this.lastError = undefined;
    this.everConnected = true;
    // A connect that works ends a streak of failed connects; one of failures in use ends only
    // after a quiet spell (see #quietSince).
    if (this.#quietSince(this.#lastInUseFailureAt)) this.resetBackoff();
  }

  /** Cancel every connect in flight (the pool is closing); each settles as failed with `error`. */
  cancelAll(error: Error): void {
    for (const cancel of [...this.#cancels]) cancel(error);
  }

  stop(): void {
    if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
