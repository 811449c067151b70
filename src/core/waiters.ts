/**
 * Someone waiting for a connection. It is its own list node, so the queue allocates nothing per
 * wait and removing a cancelled waiter is O(1) and leaves no trace.
 */
export class Waiter<V> {
  prev: Waiter<V> | undefined = undefined;
  next: Waiter<V> | undefined = undefined;
  queued = false;
  settled = false;
  readonly enqueuedAt: number;
  readonly deadline: number;
  /** A deadline other than the pool's default has its own timer; default ones share one. */
  ownTimer: unknown = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  /** The acquirer's stack, when leak detection or the assertion pool wants it. */
  stack: string | undefined = undefined;
  readonly #resolve: (value: V) => void;
  readonly #reject: (error: unknown) => void;

  constructor(resolve: (value: V) => void, reject: (error: unknown) => void, enqueuedAt: number, deadline: number) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.enqueuedAt = enqueuedAt;
    this.deadline = deadline;
  }

  resolve(value: V): void {
    this.settled = true;
    this.#resolve(value);
  }

  reject(error: unknown): void {
    this.settled = true;
    this.#reject(error);
  }
}

/** FIFO of waiters: a doubly linked list, O(1) push, shift, unshift and remove. */
export class WaiterQueue<V> {
  #head: Waiter<V> | undefined = undefined;
  #tail: Waiter<V> | undefined = undefined;
  length = 0;

  push(w: Waiter<V>): void {
    w.queued = true;
    w.prev = this.#tail;
    w.next = undefined;
    if (this.#tail === undefined) this.#head = w;
    else this.#tail.next = w;
    this.#tail = w;
    this.length++;
  }

  /** Put a waiter back at the head: it keeps its place after a failed pre-ping. */
  unshift(w: Waiter<V>): void {
    w.queued = true;
    w.next = this.#head;
    w.prev = undefined;
    if (this.#head === undefined) this.#tail = w;
    else this.#head.prev = w;
    this.#head = w;
    this.length++;
  }

  shift(): Waiter<V> | undefined {
    const w = this.#head;
    if (w !== undefined) this.remove(w);
    return w;
  }

  peek(): Waiter<V> | undefined {
    return this.#head;
  }

  remove(w: Waiter<V>): void {
    if (!w.queued) return;
    if (w.prev === undefined) this.#head = w.next;
    else w.prev.next = w.next;
    if (w.next === undefined) this.#tail = w.prev;
    else w.next.prev = w.prev;
    w.prev = w.next = undefined;
    w.queued = false;
    this.length--;
  }
}
