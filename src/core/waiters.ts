import type { Clock, TimerHandle } from './clock.js';
import { List } from './list.js';
import { backgroundTimer } from './timeouts.js';

/** What few waiters need: their own deadline, an abort signal, the acquirer's stack. */
interface WaiterExtra {
  /** A finite deadline other than the pool's default has its own timer. */
  ownTimer: TimerHandle | undefined;
  /** Infinity: no deadline (a timeout of Infinity). */
  readonly deadline: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** The acquirer's stack, when leak detection wants it. */
  readonly stack: string | undefined;
}

const SETTLED = 1;
/** The pool's default deadline: expired by the shared sweep, in queue order. */
const SHARED = 2;

/**
 * Someone waiting for a connection. It is its own list node, so the queue allocates nothing per
 * wait and removing a cancelled waiter is O(1) and leaves no trace. It is kept small, since a
 * queue of 100,000 of them is copied by every scavenge: the common waiter (default deadline, no
 * signal, no stack) is six fields and one boxed number; what few waiters need is in `extra`.
 * Every field is set in the constructor, so all waiters share one hidden class.
 */
export class Waiter<V> {
  prev: Waiter<V> | undefined = undefined;
  next: Waiter<V> | undefined = undefined;
  /** In the queue (a waiter whose connection is being pinged is not). */
  listed = false;
  #flags = 0;
  readonly enqueuedAt: number;
  extra: WaiterExtra | undefined = undefined;
  readonly #resolve: (value: V) => void;
  readonly #reject: (error: unknown) => void;

  constructor(resolve: (value: V) => void, reject: (error: unknown) => void, enqueuedAt: number) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.enqueuedAt = enqueuedAt;
  }

  get settled(): boolean {
    return (this.#flags & SETTLED) !== 0;
  }

  get shared(): boolean {
    return (this.#flags & SHARED) !== 0;
  }

  get stack(): string | undefined {
    return this.extra?.stack;
  }

  get signal(): AbortSignal | undefined {
    return this.extra?.signal;
  }

  /** The default deadline is the room's to know; only its own is stored. */
  markShared(): void {
    this.#flags |= SHARED;
  }

  resolve(value: V): void {
    this.#flags |= SETTLED;
    this.#resolve(value);
  }

  reject(error: unknown): void {
    this.#flags |= SETTLED;
    this.#reject(error);
  }
}

/** What the wait room asks of its pool when a waiter gives up. */
export interface WaitRoomOwner<V> {
  /** The waiter's deadline passed; the room has already taken it out of the queue. Reject it. */
  expired(waiter: Waiter<V>): void;
  /** The waiter's signal aborted; the room has already taken it out of the queue. Reject it. */
  aborted(waiter: Waiter<V>): void;
}

/**
 * The waiter lifecycle, and all of it: the FIFO queue, the one shared timer for default deadlines
 * (they expire in queue order), a waiter's own timer when it asked for another deadline, its abort
 * listener, and the guarantee that a settled waiter leaves no timer or listener behind.
 */
export class WaitRoom<V> {
  readonly #queue = new List<Waiter<V>>();
  readonly #clock: Clock;
  readonly #defaultTimeoutMs: number;
  readonly #owner: WaitRoomOwner<V>;
  #sweepTimer: TimerHandle | undefined = undefined;

  constructor(clock: Clock, defaultTimeoutMs: number, owner: WaitRoomOwner<V>) {
    this.#clock = clock;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#owner = owner;
  }

  get length(): number {
    return this.#queue.length;
  }

  /**
   * A new waiter, its deadline armed and its signal watched, but not queued: a checkout that pings
   * an idle connection first waits without being in the queue.
   */
  create(
    resolve: (value: V) => void,
    reject: (error: unknown) => void,
    now: number,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    stack: string | undefined,
  ): Waiter<V> {
    const ms = timeoutMs ?? this.#defaultTimeoutMs;
    const waiter = new Waiter<V>(resolve, reject, now);
    const shared = ms === this.#defaultTimeoutMs && ms !== Infinity;
    if (shared) {
      waiter.markShared();
      // Unref'd until push refs it: a pre-pinged checkout of an idle connection is never queued.
      this.#sweepTimer ??= backgroundTimer(this.#clock, this.#sweep, ms);
    }
    const ownDeadline = !shared && ms !== Infinity;
    if (ownDeadline || signal !== undefined || stack !== undefined) {
      const extra: WaiterExtra = { ownTimer: undefined, deadline: now + ms, signal: undefined, onAbort: undefined, stack };
      waiter.extra = extra;
      // Default deadlines are in queue order and share one timer; only an override needs its own.
      if (ownDeadline) extra.ownTimer = this.#clock.setTimeout(() => this.#expire(waiter), ms);
      if (signal !== undefined) {
        extra.signal = signal;
        extra.onAbort = () => this.#abort(waiter);
        signal.addEventListener('abort', extra.onAbort, { once: true });
      }
    }
    return waiter;
  }

  /** When the waiter times out: Infinity for none. */
  deadlineOf(waiter: Waiter<V>): number {
    return waiter.shared ? waiter.enqueuedAt + this.#defaultTimeoutMs : (waiter.extra?.deadline ?? Infinity);
  }

  push(waiter: Waiter<V>): void {
    // The shared deadline timer keeps the process alive only while someone waits.
    if (this.#queue.length === 0) this.#sweepTimer?.ref();
    this.#queue.push(waiter);
  }

  /** Back to the head of the queue, keeping its deadline (its connection failed a ping: not its fault). */
  unshift(waiter: Waiter<V>, now: number): void {
    if (waiter.shared && this.#sweepTimer === undefined) {
      this.#sweepTimer = this.#clock.setTimeout(this.#sweep, Math.max(0, this.deadlineOf(waiter) - now));
    }
    if (this.#queue.length === 0) this.#sweepTimer?.ref();
    this.#queue.unshift(waiter);
  }

  /** The longest waiting, out of the queue; undefined when nobody waits. */
  shift(): Waiter<V> | undefined {
    const waiter = this.#queue.shift();
    if (this.#queue.length === 0) this.#sweepTimer?.unref();
    return waiter;
  }

  /** Settle a waiter with its connection: its timer and abort listener go with it. */
  resolve(waiter: Waiter<V>, value: V): void {
    this.forget(waiter);
    waiter.resolve(value);
  }

  /** Reject a waiter, queued or not, leaving nothing behind. */
  reject(waiter: Waiter<V>, error: unknown): void {
    this.#unqueue(waiter);
    this.forget(waiter);
    waiter.reject(error);
  }

  /** Reject every queued waiter, in queue order. */
  rejectAll(error: () => unknown): void {
    for (let w = this.shift(); w !== undefined; w = this.shift()) {
      this.forget(w);
      w.reject(error());
    }
  }

  /** No timer outlives the pool. */
  stop(): void {
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  /** Drops a waiter's own timer and abort listener, so a settled wait leaves nothing behind. */
  forget(waiter: Waiter<V>): void {
    const extra = waiter.extra;
    if (extra === undefined) return;
    if (extra.ownTimer !== undefined) this.#clock.clearTimeout(extra.ownTimer);
    if (extra.onAbort !== undefined) extra.signal!.removeEventListener('abort', extra.onAbort);
  }

  #unqueue(waiter: Waiter<V>): void {
    if (!waiter.listed) return;
    this.#queue.remove(waiter);
    if (this.#queue.length === 0) this.#sweepTimer?.unref();
  }

  /** Expires every default-deadline waiter that is due, then re-arms for the next one. */
  readonly #sweep = (): void => {
    this.#sweepTimer = undefined;
    const now = this.#clock.now();
    let waiter = this.#queue.head;
    while (waiter !== undefined) {
      const next = waiter.next;
      if (waiter.shared) {
        const deadline = this.deadlineOf(waiter);
        if (deadline > now) {
          this.#sweepTimer = this.#clock.setTimeout(this.#sweep, deadline - now);
          return;
        }
        this.#expire(waiter);
      }
      waiter = next;
    }
  };

  #expire(waiter: Waiter<V>): void {
    if (waiter.settled) return;
    this.#unqueue(waiter);
    this.forget(waiter);
    this.#owner.expired(waiter);
  }

  #abort(waiter: Waiter<V>): void {
    if (waiter.settled) return;
    this.#unqueue(waiter);
    this.forget(waiter);
    this.#owner.aborted(waiter);
  }
}
