import type { Clock, TimerHandle } from './clock.js';
import { PoolEntry } from './entry.js';
import {
  AcquireAbortedError,
  AcquireTimeoutError,
  CreateFailedError,
  InvalidOptionError,
  PoolClosedError,
  QueueFullError,
  messageOf,
} from './errors.js';
import { PoolEvents, type CloseReason, type ErrorPhase, type PoolEventMap, type PoolEventName } from './events.js';
import type { Factory } from './factory.js';
import { Housekeeper, idleTimedOut, newLeaks } from './housekeeper.js';
import { Lease, releaseOwned, returnLease, useLease, type LeaseOwner, type LeaseTarget } from './lease.js';
import { log } from './log.js';
import { resolvePoolOptions, type PoolOptions, type ResolvedPoolOptions } from './options.js';
import { describeStatus, newCounters, type PoolStatus } from './stats.js';
import { backgroundTimer, isThenable, within } from './timeouts.js';
import { Waiter, WaiterQueue } from './waiters.js';

export interface AcquireOptions {
  /** Abort the wait; the acquire rejects with HAVUZ_ACQUIRE_ABORTED and leaves no trace. */
  signal?: AbortSignal;
  /** Overrides the pool's acquireTimeoutMs for this call. */
  timeoutMs?: number;
}

export interface CloseOptions {
  /** How long to wait for checked-out connections before closing them anyway. Default 10 s. */
  timeoutMs?: number;
}

/** What every pool class offers; code that takes a pool should take this. */
export interface ConnectionPool<T> {
  readonly name: string;
  acquire(options?: AcquireOptions): Promise<Lease<T>>;
  use<R>(fn: (connection: T, lease: Lease<T>) => Promise<R> | R, options?: AcquireOptions): Promise<R>;
  release(lease: Lease<T>): void;
  status(): PoolStatus;
  on<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): () => void;
  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): void;
  dispose(): Promise<void>;
  invalidateAll(options?: { soft?: boolean }): Promise<void>;
  close(options?: CloseOptions): Promise<void>;
}

/** How a pool class specialises the scheduler (SQLAlchemy's pool classes are strategies the same way). */
export interface PoolClassSettings {
  /** Defaults that differ from the queue pool's; the user's options still win. */
  defaults?: Partial<PoolOptions>;
  /** false: close every connection on return, never hand it on (the null pool). */
  retainConnections?: boolean;
  /** Keep the acquirer's stack on every checkout, not only with leak detection. */
  trackStacks?: boolean;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * The queue pool, and the one scheduler every pool class builds on: a fixed size plus overflow,
 * FIFO waiters served by direct hand-off, a single shared timer for default acquire deadlines,
 * and one unref'd housekeeper for everything that happens with time.
 */
export class Pool<T> implements ConnectionPool<T>, LeaseOwner<T> {
  readonly name: string;
  readonly options: Readonly<ResolvedPoolOptions>;
  protected readonly factory: Factory<T>;
  readonly #clock: Clock;
  readonly #events: PoolEvents<T>;
  readonly #counters = newCounters();
  readonly #idle: PoolEntry<T>[] = [];
  readonly #all = new Set<PoolEntry<T>>();
  readonly #waiters = new WaiterQueue<Lease<T>>();
  // Hot-path copies of options, so acquire and release read fields, not a dictionary.
  readonly #lifo: boolean;
  readonly #prePing: boolean;
  readonly #resetOnReturn: boolean;
  readonly #retain: boolean;
  readonly #trackStacks: boolean;
  #inUse = 0;
  #connecting = 0;
  #generation = 0;
  #closing = false;
  #closePromise: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  #createFailures = 0;
  #retryAt = 0;
  #retryTimer: TimerHandle | undefined;
  #lastCreateError: unknown = undefined;
  #sweepTimer: TimerHandle | undefined;
  readonly #creating = new Set<(error: Error) => void>();
  readonly #destroying = new Set<Promise<void>>();
  readonly #housekeeper: Housekeeper | undefined;

  constructor(factory: Factory<T>, options?: PoolOptions, settings: PoolClassSettings = {}) {
    if (typeof factory !== 'object' || factory === null) throw new InvalidOptionError('factory', factory, 'an object');
    for (const method of ['create', 'destroy'] as const) {
      if (typeof factory[method] !== 'function') throw new InvalidOptionError(`factory.${method}`, factory[method], 'a function');
    }
    for (const method of ['validate', 'reset', 'init'] as const) {
      if (factory[method] !== undefined && typeof factory[method] !== 'function') {
        throw new InvalidOptionError(`factory.${method}`, factory[method], 'a function or undefined');
      }
    }
    this.factory = factory;
    this.options = resolvePoolOptions(options, settings.defaults);
    const o = this.options;
    this.name = o.name;
    this.#clock = o.clock;
    this.#lifo = o.order === 'lifo';
    this.#prePing = o.prePing && factory.validate !== undefined;
    this.#resetOnReturn = o.resetOnReturn && factory.reset !== undefined;
    this.#retain = settings.retainConnections ?? true;
    this.#trackStacks = (settings.trackStacks ?? false) || o.leakDetectionMs > 0;
    this.#events = new PoolEvents<T>((error) => this.#report('listener', error, undefined));
    if (o.idleTimeoutMs > 0 || o.maxLifetimeMs > 0 || o.leakDetectionMs > 0 || o.minIdle > 0) {
      this.#housekeeper = new Housekeeper(this.#clock, o.housekeepingMs, () => this.#housekeep());
      this.#housekeeper.start();
    }
    if (o.minIdle > 0) this.#fill();
  }

  // ---- checkout ---------------------------------------------------------------------------

  acquire(options?: AcquireOptions): Promise<Lease<T>> {
    if (this.#closing) return Promise.reject(new PoolClosedError(this.name));
    if (options !== undefined) {
      const invalid = checkAcquireOptions(options);
      if (invalid !== undefined) return Promise.reject(invalid);
      if (options.signal?.aborted) {
        this.#counters.aborted++;
        return Promise.reject(new AcquireAbortedError(this.name, options.signal.reason));
      }
    }
    // Taken here, not at hand-off: a queued acquire is served from whoever released, not the acquirer.
    const stack = this.#trackStacks ? new Error('checkout').stack?.split('\n').slice(2).join('\n') : undefined;
    // Idle connections exist only while nobody waits, so taking one here never jumps the queue.
    if (this.#idle.length > 0 && this.#waiters.length === 0) {
      const now = this.#clock.now();
      const entry = this.#takeIdle(now);
      if (entry !== undefined) {
        if (!this.#needsPing(entry, now)) return Promise.resolve(this.#checkout(entry, now, now, stack));
        return new Promise((resolve, reject) => this.#validate(entry, this.#newWaiter(resolve, reject, options, now, stack)));
      }
    }
    return this.#wait(options, stack);
  }

  use<R>(fn: (connection: T, lease: Lease<T>) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    return useLease(this.acquire(options), fn);
  }

  /** Same as `lease.release()`, but checks that the lease is this pool's. */
  release(lease: Lease<T>): void {
    releaseOwned(lease, this.name, this);
  }

  #wait(options: AcquireOptions | undefined, stack: string | undefined): Promise<Lease<T>> {
    if (this.#waiters.length >= this.options.maxWaiters) {
      this.#counters.rejected++;
      return Promise.reject(new QueueFullError(this.name, this.options.maxWaiters));
    }
    const now = this.#clock.now();
    return new Promise((resolve, reject) => {
      const waiter = this.#newWaiter(resolve, reject, options, now, stack);
      this.#enqueue(waiter);
      this.#dispatch();
    });
  }

  #newWaiter(
    resolve: (lease: Lease<T>) => void,
    reject: (error: unknown) => void,
    options: AcquireOptions | undefined,
    now: number,
    stack: string | undefined,
  ): Waiter<Lease<T>> {
    const timeoutMs = options?.timeoutMs ?? this.options.acquireTimeoutMs;
    const waiter = new Waiter<Lease<T>>(resolve, reject, now, now + timeoutMs);
    waiter.stack = stack;
    if (timeoutMs !== this.options.acquireTimeoutMs) {
      // Default deadlines are in queue order and share one timer; only an override needs its own.
      waiter.ownTimer = this.#clock.setTimeout(() => this.#timeout(waiter), timeoutMs);
    } else if (this.#sweepTimer === undefined) {
      // Unref'd until #enqueue refs it: a pre-pinged checkout of an idle connection is never queued.
      this.#sweepTimer = backgroundTimer(this.#clock, this.#sweep, timeoutMs);
    }
    const signal = options?.signal;
    if (signal !== undefined) {
      waiter.signal = signal;
      waiter.onAbort = () => this.#abort(waiter);
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    return waiter;
  }

  #enqueue(waiter: Waiter<Lease<T>>, atHead = false): void {
    // The shared deadline timer keeps the process alive only while someone waits.
    if (this.#waiters.length === 0) this.#sweepTimer?.ref();
    if (atHead) this.#waiters.unshift(waiter);
    else this.#waiters.push(waiter);
  }

  #dequeue(): Waiter<Lease<T>> | undefined {
    const waiter = this.#waiters.shift();
    if (this.#waiters.length === 0) this.#sweepTimer?.unref();
    return waiter;
  }

  #unqueue(waiter: Waiter<Lease<T>>): void {
    this.#waiters.remove(waiter);
    if (this.#waiters.length === 0) this.#sweepTimer?.unref();
  }

  /** Expires every default-deadline waiter that is due, then re-arms for the next one. */
  readonly #sweep = (): void => {
    this.#sweepTimer = undefined;
    const now = this.#clock.now();
    let waiter = this.#waiters.peek();
    while (waiter !== undefined) {
      const next = waiter.next;
      if (waiter.ownTimer === undefined) {
        if (waiter.deadline > now) {
          this.#sweepTimer = this.#clock.setTimeout(this.#sweep, waiter.deadline - now);
          return;
        }
        this.#timeout(waiter);
      }
      waiter = next;
    }
  };

  #timeout(waiter: Waiter<Lease<T>>): void {
    if (waiter.settled) return;
    this.#unqueue(waiter);
    this.#forget(waiter);
    this.#counters.timeouts++;
    const status = this.status();
    const ms = Math.round(waiter.deadline - waiter.enqueuedAt);
    const last = this.#lastCreateError;
    waiter.reject(
      new AcquireTimeoutError(
        `Timed out after ${ms} ms waiting for a connection from pool "${this.name}" (${describeStatus(status)})` +
          (last === undefined ? '' : `; last connect error: ${messageOf(last)}`),
        status,
        last,
      ),
    );
  }

  #abort(waiter: Waiter<Lease<T>>): void {
    if (waiter.settled) return;
    this.#unqueue(waiter);
    this.#forget(waiter);
    this.#counters.aborted++;
    waiter.reject(new AcquireAbortedError(this.name, waiter.signal?.reason));
  }

  /** Drops a waiter's own timer and abort listener, so a settled wait leaves nothing behind. */
  #forget(waiter: Waiter<Lease<T>>): void {
    if (waiter.ownTimer !== undefined) this.#clock.clearTimeout(waiter.ownTimer as TimerHandle);
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
  }

  /** Pairs idle connections with waiters in FIFO order, then opens connections for the rest. */
  #dispatch(): void {
    while (this.#waiters.length > 0 && this.#idle.length > 0) {
      const now = this.#clock.now();
      const entry = this.#takeIdle(now);
      if (entry === undefined) break;
      this.#serve(entry, this.#dequeue()!, now);
    }
    this.#fill();
  }

  #serve(entry: PoolEntry<T>, waiter: Waiter<Lease<T>>, now: number): void {
    if (this.#needsPing(entry, now)) this.#validate(entry, waiter);
    else this.#hand(entry, waiter, now);
  }

  #hand(entry: PoolEntry<T>, waiter: Waiter<Lease<T>>, now: number): void {
    if (waiter.settled) {
      // Aborted or timed out while its connection was being pinged: the connection goes back.
      this.#checkin(entry);
      return;
    }
    this.#forget(waiter);
    waiter.resolve(this.#checkout(entry, now, waiter.enqueuedAt, waiter.stack));
  }

  #checkout(entry: PoolEntry<T>, now: number, since: number, stack: string | undefined): Lease<T> {
    entry.leased = true;
    entry.uses++;
    entry.checkedOutAt = now;
    if (this.#trackStacks) {
      entry.stack = stack;
      entry.leakReported = false;
    }
    this.#counters.acquired++;
    if (this.#events.wantsCheckout()) {
      this.#events.emit('checkout', { pool: this.name, id: entry.id, connection: entry.connection, waitMs: now - since });
    }
    return new Lease(this, entry);
  }

  #takeIdle(now: number): PoolEntry<T> | undefined {
    const idle = this.#idle;
    while (idle.length > 0) {
      const entry = (this.#lifo ? idle.pop() : idle.shift())!;
      entry.state = 'busy';
      this.#inUse++;
      const retire = this.#retireReason(entry, now);
      if (retire === undefined) return entry;
      this.#destroy(entry, retire);
    }
    return undefined;
  }

  #retireReason(entry: PoolEntry<T>, now: number): CloseReason | undefined {
    if (entry.broken) return 'broken';
    if (entry.generation !== this.#generation) return 'invalidated';
    if (entry.expiresAt <= now) return 'max-lifetime';
    return undefined;
  }

  #needsPing(entry: PoolEntry<T>, now: number): boolean {
    return this.#prePing && now - entry.lastUsedAt > this.options.prePingBypassMs;
  }

  async #validate(entry: PoolEntry<T>, waiter: Waiter<Lease<T>>): Promise<void> {
    let ok = false;
    try {
      const ms = this.options.validateTimeoutMs;
      ok = (await within(this.factory.validate!(entry.connection), ms, this.#clock, () => new Error(`ping timed out after ${ms} ms`))) === true;
    } catch (error) {
      this.#report('validate', error, entry.id);
    }
    const now = this.#clock.now();
    if (entry.state !== 'busy') {
      // Closed by close() meanwhile; close() has already rejected or will reject this waiter.
      ok = false;
    } else if (this.#closing) {
      // close() began during the ping; this waiter was not in the queue it emptied, so it fails below.
      this.#destroy(entry, 'pool-closed');
    } else if (!ok) {
      this.#counters.validationFailures++;
      this.#destroy(entry, 'validation-failed');
    } else {
      // Broken or invalidateAll() may have come while the ping was out.
      const retire = this.#retireReason(entry, now);
      if (retire === undefined) {
        entry.lastUsedAt = now;
        this.#hand(entry, waiter, now);
        return;
      }
      this.#destroy(entry, retire);
    }
    if (!waiter.settled) {
      if (this.#closing) {
        this.#forget(waiter);
        waiter.reject(new PoolClosedError(this.name));
      } else if (waiter.deadline <= now) {
        this.#timeout(waiter);
      } else {
        // It keeps its place: the failed ping was the pool's fault, not the caller's.
        if (waiter.ownTimer === undefined && this.#sweepTimer === undefined) {
          this.#sweepTimer = this.#clock.setTimeout(this.#sweep, waiter.deadline - now);
        }
        this.#enqueue(waiter, true);
      }
    }
    this.#dispatch();
  }

  // ---- return -----------------------------------------------------------------------------

  [returnLease](target: LeaseTarget<T>, invalidate: boolean, reason: unknown): void {
    const entry = target as PoolEntry<T>;
    if (entry.state !== 'busy') return; // closed by close() while checked out: nothing to give back
    entry.leased = false;
    this.#counters.released++;
    const now = this.#clock.now();
    entry.lastUsedAt = now;
    if (this.#events.wantsCheckin()) {
      this.#events.emit('checkin', { pool: this.name, id: entry.id, connection: entry.connection, heldMs: now - entry.checkedOutAt });
    }
    let retire: CloseReason | undefined;
    if (invalidate) {
      this.#events.emit('invalidate', { pool: this.name, id: entry.id, reason });
      retire = 'invalidated';
    } else if (this.#closing) retire = 'pool-closed';
    else if (this.options.maxUses > 0 && entry.uses >= this.options.maxUses) retire = 'max-uses';
    else retire = this.#retireReason(entry, now);
    if (retire !== undefined) {
      this.#destroy(entry, retire);
      this.#dispatch();
    } else if (this.#resetOnReturn) {
      this.#reset(entry);
    } else {
      this.#checkin(entry, now);
    }
  }

  #reset(entry: PoolEntry<T>): void {
    let pending: PromiseLike<void> | void;
    try {
      pending = this.factory.reset!(entry.connection);
    } catch (error) {
      this.#resetFailed(entry, error);
      return;
    }
    // A reset with nothing to do (no open transaction) answers synchronously, and the connection
    // is back before the caller's next acquire: a sequential workload keeps using one connection.
    if (!isThenable(pending)) {
      this.#afterReset(entry);
      return;
    }
    const ms = this.options.validateTimeoutMs;
    within(pending, ms, this.#clock, () => new Error(`reset timed out after ${ms} ms`)).then(
      () => this.#afterReset(entry),
      (error: unknown) => this.#resetFailed(entry, error),
    );
  }

  #afterReset(entry: PoolEntry<T>): void {
    if (entry.state !== 'busy') return;
    if (this.#events.wants('reset')) this.#events.emit('reset', { pool: this.name, id: entry.id, connection: entry.connection });
    // Broken, invalidateAll() or max lifetime may have come while the reset ran.
    const retire = this.#retireReason(entry, this.#clock.now());
    if (retire !== undefined) {
      this.#destroy(entry, retire);
      this.#dispatch();
    } else {
      this.#checkin(entry);
    }
  }

  #resetFailed(entry: PoolEntry<T>, error: unknown): void {
    this.#report('reset', error, entry.id);
    this.#events.emit('invalidate', { pool: this.name, id: entry.id, reason: error });
    this.#destroy(entry, 'reset-failed');
    this.#dispatch();
  }

  /**
   * A busy entry goes back into service: straight to the head waiter, or idle, or closed.
   * `now`: the caller's reading of the clock, when it has one (a return does; it saves a second read).
   */
  #checkin(entry: PoolEntry<T>, now?: number): void {
    if (this.#closing) {
      this.#destroy(entry, 'pool-closed');
      return;
    }
    // A fresh connection still serves the waiter it was opened for; only a used one is not handed on.
    if (!this.#retain && (entry.uses > 0 || this.#waiters.length === 0)) {
      this.#destroy(entry, 'not-retained');
      this.#dispatch();
      return;
    }
    if (this.#waiters.length > 0) {
      this.#serve(entry, this.#dequeue()!, now ?? this.#clock.now());
      return;
    }
    if (this.#all.size > this.options.size) {
      this.#destroy(entry, 'overflow');
      return;
    }
    entry.state = 'idle';
    this.#inUse--;
    this.#idle.push(entry);
  }

  // ---- connections ------------------------------------------------------------------------

  /** Opens connections for unserved waiters and min idle, within max, maxConnecting and the backoff. */
  #fill(): void {
    const o = this.options;
    // At max nothing can be opened: the common case under load, so it returns before any arithmetic.
    if (this.#closing || this.#all.size + this.#connecting >= o.max) return;
    let wanted = Math.max(
      this.#waiters.length - this.#connecting,
      // Min idle stays within size: an overflow connection closes on return, and would be reopened at once.
      Math.min(o.minIdle - this.#idle.length, o.size - this.#all.size) - this.#connecting,
    );
    if (wanted <= 0) return;
    if (this.#retryAt > 0) {
      const wait = this.#retryAt - this.#clock.now();
      if (wait > 0) {
        this.#retryTimer ??= backgroundTimer(this.#clock, () => {
          this.#retryTimer = undefined;
          this.#fill();
        }, wait);
        return;
      }
    }
    while (wanted-- > 0 && this.#all.size + this.#connecting < this.options.max && this.#connecting < this.options.maxConnecting) {
      this.#create();
    }
  }

  #create(): void {
    this.#connecting++;
    const entry = new PoolEntry<T>();
    entry.generation = this.#generation;
    const controller = new AbortController();
    const started = this.#clock.now();
    let settled = false;
    let opened = false;
    const settle = (error: Error | undefined): boolean => {
      if (settled) return false;
      settled = true;
      this.#clock.clearTimeout(timer);
      this.#creating.delete(cancel);
      this.#connecting--;
      if (error === undefined) this.#opened(entry, started);
      else this.#createFailed(error);
      return true;
    };
    const cancel = (error: Error): void => {
      controller.abort(error);
      settle(error);
    };
    this.#creating.add(cancel);
    const ms = this.options.createTimeoutMs;
    // Wrapped like any other connect failure, so failFast rejects waiters with HAVUZ_CREATE_FAILED.
    const timer = backgroundTimer(this.#clock, () => cancel(new CreateFailedError(this.name, new Error(`connect timed out after ${ms} ms`))), ms);
    const open = async (): Promise<void> => {
      const connection = await this.factory.create({ signal: controller.signal, onBroken: (e) => this.#broken(entry, e) });
      entry.connection = connection;
      opened = true;
      if (settled) return;
      if (this.factory.init !== undefined) await this.factory.init(connection);
    };
    open().then(
      () => {
        // Settled already: it timed out or the pool closed while connecting; close it quietly.
        if (!settle(undefined)) this.#discard(entry);
      },
      (error: unknown) => {
        if (opened) this.#discard(entry);
        settle(new CreateFailedError(this.name, error));
      },
    );
  }

  #opened(entry: PoolEntry<T>, started: number): void {
    const now = this.#clock.now();
    const o = this.options;
    entry.createdAt = now;
    entry.lastUsedAt = now;
    entry.expiresAt = o.maxLifetimeMs > 0 ? now + o.maxLifetimeMs * (1 - o.maxLifetimeJitter * o.random()) : Infinity;
    entry.state = 'busy';
    this.#inUse++;
    this.#all.add(entry);
    this.#createFailures = 0;
    this.#retryAt = 0;
    this.#lastCreateError = undefined;
    this.#counters.created++;
    if (this.#events.wants('connect')) {
      this.#events.emit('connect', { pool: this.name, id: entry.id, connection: entry.connection, durationMs: now - started });
    }
    const retire = this.#retireReason(entry, now);
    if (retire !== undefined) {
      this.#destroy(entry, retire);
      this.#dispatch();
    } else {
      this.#checkin(entry);
      // maxConnecting may have held back connects for other waiters; this one's slot is free now.
      this.#fill();
    }
  }

  #createFailed(error: Error): void {
    this.#counters.createErrors++;
    if (this.#closing) return;
    this.#lastCreateError = error.cause ?? error;
    this.#report('create', error, undefined);
    // Exponential backoff with equal jitter: waiters keep waiting (until their own deadline)
    // while the pool retries, instead of every caller hammering a database that is down.
    const o = this.options;
    const base = Math.min(o.createBackoffMaxMs, o.createBackoffMs * 2 ** this.#createFailures);
    this.#createFailures++;
    this.#retryAt = this.#clock.now() + base / 2 + (base / 2) * o.random();
    if (o.failFast && this.#all.size === 0 && this.#connecting === 0) {
      // Nothing is open that could come back to a waiter, and nothing else is connecting: the
      // database is down or refuses us. Waiting out acquireTimeoutMs would only hide that.
      for (let w = this.#dequeue(); w !== undefined; w = this.#dequeue()) {
        this.#forget(w);
        w.reject(error);
      }
    }
    this.#fill();
  }

  /** Called by the driver when a connection dies on its own. */
  #broken(entry: PoolEntry<T>, error: unknown): void {
    if (entry.state === 'closed' || entry.broken) return;
    entry.broken = true;
    this.#report('idle', error, entry.id);
    if (entry.state === 'idle') {
      this.#destroy(entry, 'broken');
      this.#fill();
    }
    // A busy one is closed when it comes back; the caller sees its query fail meanwhile.
  }

  #destroy(entry: PoolEntry<T>, reason: CloseReason): void {
    if (entry.state === 'closed') return;
    if (entry.state === 'busy') {
      this.#inUse--;
    } else if (entry.state === 'idle') {
      const i = this.#idle.indexOf(entry);
      if (i !== -1) this.#idle.splice(i, 1);
    }
    entry.state = 'closed';
    entry.leased = false;
    this.#all.delete(entry);
    this.#counters.destroyed++;
    if (this.#events.wants('close')) this.#events.emit('close', { pool: this.name, id: entry.id, reason });
    this.#discard(entry);
    if (this.#inUse === 0) this.#drained?.();
  }

  /** Closes the driver connection in the background; failures are reported, never thrown. */
  #discard(entry: PoolEntry<T>): void {
    const connection = entry.connection;
    const done = (async () => {
      try {
        await this.factory.destroy(connection);
      } catch (error) {
        this.#report('destroy', error, entry.id);
      }
    })();
    this.#destroying.add(done);
    void done.then(() => this.#destroying.delete(done));
  }

  #housekeep(): void {
    if (this.#closing) return;
    const now = this.#clock.now();
    const o = this.options;
    for (const entry of this.#idle.slice()) {
      const retire = this.#retireReason(entry, now);
      if (retire !== undefined) this.#destroy(entry, retire);
    }
    for (const entry of idleTimedOut(this.#idle, now, o.idleTimeoutMs, o.minIdle)) this.#destroy(entry, 'idle-timeout');
    for (const entry of newLeaks(this.#all, now, o.leakDetectionMs)) {
      entry.leakReported = true;
      this.#counters.leaks++;
      const heldMs = now - entry.checkedOutAt;
      this.#events.emit('leak', { pool: this.name, id: entry.id, heldMs, stack: entry.stack });
      log(o.logger, 'warn', { pool: this.name, id: entry.id, heldMs: Math.round(heldMs), stack: entry.stack }, `havuz: connection ${entry.id} of pool "${this.name}" checked out for ${Math.round(heldMs)} ms; possible leak`);
    }
    this.#fill();
  }

  #report(phase: ErrorPhase, error: unknown, id: number | undefined): void {
    const logger = this.options.logger;
    if (phase === 'listener') {
      // A throwing listener is the user's bug; say so, but the pool goes on.
      if (logger?.error !== undefined) log(logger, 'error', { pool: this.name, err: error }, `havuz: a pool event listener threw: ${messageOf(error)}`);
      else process.emitWarning(`havuz: a pool event listener threw: ${messageOf(error)}`, 'HavuzWarning');
      return;
    }
    log(logger, 'warn', { pool: this.name, phase, id, err: error }, `havuz: pool "${this.name}" ${phase} error: ${messageOf(error)}`);
    this.#events.emit('connection-error', { pool: this.name, id, phase, error });
  }

  // ---- status, events, lifecycle ----------------------------------------------------------

  status(): PoolStatus {
    const size = this.#all.size;
    return {
      name: this.name,
      size,
      idle: this.#idle.length,
      inUse: this.#inUse,
      overflow: Math.max(0, size - this.options.size),
      pending: this.#waiters.length,
      connecting: this.#connecting,
      max: this.options.max,
      closed: this.#closing,
      counters: { ...this.#counters },
    };
  }

  on<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): void {
    this.#events.off(event, listener);
  }

  /**
   * Close idle connections now and recycle checked-out ones when they come back. The pool stays
   * usable: this is what to call after a fork, or when the database's address changed.
   */
  dispose(): Promise<void> {
    return this.invalidateAll({ soft: false });
  }

  /**
   * Retire every connection opened so far (a generation bump, not a walk over checkouts).
   * Hard: idle ones close now. Soft: idle ones are replaced on their next checkout.
   */
  invalidateAll(options: { soft?: boolean } = {}): Promise<void> {
    this.#generation++;
    this.#createFailures = 0;
    this.#retryAt = 0;
    if (options.soft === true) {
      this.#events.emit('soft-invalidate', { pool: this.name, generation: this.#generation });
    } else {
      for (const entry of this.#idle.slice()) {
        this.#events.emit('invalidate', { pool: this.name, id: entry.id, reason: 'invalidateAll' });
        this.#destroy(entry, 'dispose');
      }
    }
    this.#fill();
    return this.#settleDestroys();
  }

  /**
   * Stop new checkouts (waiters fail at once), close idle connections, wait up to `timeoutMs` for
   * checked-out ones to come back, then close those too. Resolves when every connection is closed.
   */
  close(options: CloseOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
      return Promise.reject(new InvalidOptionError('close timeoutMs', timeoutMs, 'a number of milliseconds >= 0'));
    }
    if (this.#closePromise !== undefined) {
      if (timeoutMs === 0) this.#drained?.();
      return this.#closePromise;
    }
    this.#closing = true;
    this.#housekeeper?.stop();
    if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    for (let w = this.#waiters.shift(); w !== undefined; w = this.#waiters.shift()) {
      this.#forget(w);
      w.reject(new PoolClosedError(this.name));
    }
    for (const cancel of [...this.#creating]) cancel(new PoolClosedError(this.name));
    for (const entry of this.#idle.slice()) this.#destroy(entry, 'pool-closed');
    this.#closePromise = (async () => {
      if (this.#inUse > 0 && timeoutMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = this.#clock.setTimeout(() => resolve(), timeoutMs);
          this.#drained = () => {
            this.#clock.clearTimeout(timer);
            resolve();
          };
        });
      }
      this.#drained = undefined;
      for (const entry of [...this.#all]) this.#destroy(entry, 'pool-closed');
      await this.#settleDestroys();
    })();
    return this.#closePromise;
  }

  /** close() without waiting for checked-out connections (asyncpg's terminate). */
  terminate(): Promise<void> {
    return this.close({ timeoutMs: 0 });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #settleDestroys(): Promise<void> {
    while (this.#destroying.size > 0) await Promise.all([...this.#destroying]);
  }
}

function checkAcquireOptions(options: AcquireOptions): InvalidOptionError | undefined {
  if (typeof options !== 'object' || options === null) return new InvalidOptionError('acquire options', options, 'an object');
  for (const key of Object.keys(options)) {
    if (key !== 'signal' && key !== 'timeoutMs') return new InvalidOptionError(key, (options as any)[key], 'signal or timeoutMs');
  }
  const { timeoutMs, signal } = options;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    return new InvalidOptionError('timeoutMs', timeoutMs, 'a finite number of milliseconds > 0');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) return new InvalidOptionError('signal', signal, 'an AbortSignal');
  return undefined;
}
