import type { Clock } from './clock.js';
import {
  checkAcquireOptions,
  checkCloseOptions,
  checkFactory,
  checkInvalidateOptions,
  type AcquireOptions,
  type CloseOptions,
  type ConnectionPool,
  type PoolClassSettings,
} from './contract.js';
import { Creator } from './creator.js';
import type { PoolEntry } from './entry.js';
import {
  AcquireAbortedError,
  InvalidOptionError,
  AcquireTimeoutError,
  CreateFailedError,
  QueueFullError,
  messageOf,
} from './errors.js';
import { PoolEvents, type CloseReason, type PoolEventMap, type PoolEventName } from './events.js';
import type { Factory } from './factory.js';
import { Housekeeper } from './housekeeper.js';
import { captureStack, Lease, releaseOwned, returnLease, useLease, type LeaseOwner, type LeaseTarget } from './lease.js';
import { Ledger } from './ledger.js';
import { Lifecycle } from './lifecycle.js';
import { resolvePoolOptions, type PoolOptions, type ResolvedPoolOptions } from './options.js';
import { describeStatus, newCounters, type PoolStatus } from './stats.js';
import { isThenable, within } from './timeouts.js';
import { WaitRoom, type Waiter } from './waiters.js';

/** A connection opened less than this long ago is never pre-pinged: it has just proved itself. */
const FRESH_MS = 1_000;

/**
 * The one executor of every queued acquire's promise: it hands the resolve functions out through
 * `captured`, read right after `new Promise(capture)`. An arrow executor per wait would be a
 * closure and a context of garbage per waiter; at 100,000 waiters the extra allocation means
 * extra scavenges, each copying every live waiter.
 */
const captured: { resolve: (value: unknown) => void; reject: (error: unknown) => void } = { resolve: () => {}, reject: () => {} };
function capture(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve as (value: unknown) => void;
  captured.reject = reject;
}


/**
 * The queue pool, and the one scheduler every pool class builds on: a fixed size plus overflow,
 * FIFO waiters served by direct hand-off, connections opened by the Creator, time handled by the
 * WaitRoom (deadlines) and the Housekeeper (upkeep), every entry's state kept by the Ledger.
 *
 * acquire → an idle connection (pinged if due) or a place in the queue → hand;
 * return → retire | reset | park (the next waiter, else idle).
 *
 * How a pool class specialises it (SQLAlchemy's pool classes override `_do_get` and
 * `_do_return_conn` the same way): override `admit` (answer or refuse an acquire before the
 * queue) and `park` (where a free connection goes), and pass `defaults`. Null, Assertion and
 * Static do only that; Context adds a scope in front of `acquire`.
 */
export type { AcquireOptions, CloseOptions, ConnectionPool, PoolClassSettings } from './contract.js';

export class Pool<T> implements ConnectionPool<T>, LeaseOwner<T> {
  readonly name: string;
  readonly options: Readonly<ResolvedPoolOptions>;
  protected readonly factory: Factory<T>;
  readonly #clock: Clock;
  readonly #events: PoolEvents<T>;
  readonly #counters = newCounters();
  readonly #ledger = new Ledger<T>();
  readonly #waiters: WaitRoom<Lease<T>>;
  readonly #creator: Creator<T>;
  readonly #housekeeper: Housekeeper<T> | undefined;
  // Hot-path copies of options, so acquire and release read fields, not a dictionary.
  readonly #lifo: boolean;
  readonly #prePing: boolean;
  readonly #prePingBypassMs: number;
  readonly #resetOnReturn: boolean;
  readonly #trackStacks: boolean;
  readonly #maxUses: number;
  readonly #lifecycle: Lifecycle<T>;
  #generation = 0;
  readonly #destroying = new Set<Promise<void>>();

  constructor(factory: Factory<T>, options?: PoolOptions, settings: PoolClassSettings = {}) {
    checkFactory(factory);
    this.factory = factory;
    this.options = resolvePoolOptions(options, settings.defaults);
    const o = this.options;
    this.name = o.name;
    this.#clock = o.clock;
    this.#lifo = o.order === 'lifo';
    this.#prePing = o.prePing && factory.validate !== undefined;
    this.#prePingBypassMs = o.prePingBypassMs;
    this.#resetOnReturn = o.resetOnReturn && factory.reset !== undefined;
    this.#trackStacks = o.leakDetectionMs > 0;
    this.#maxUses = o.maxUses;
    this.#events = new PoolEvents<T>(this.name, o.logger);
    this.#waiters = new WaitRoom<Lease<T>>(this.#clock, o.acquireTimeoutMs, {
      expired: (waiter) => this.#expired(waiter),
      aborted: (waiter) => this.#aborted(waiter),
    });
    this.#creator = new Creator<T>(factory, o, this.#ledger, {
      opened: (entry, ms) => this.#opened(entry, ms),
      failed: (error) => this.#createFailed(error),
      broken: (entry, error) => this.#broken(entry, error),
      retry: () => this.#fill(),
      discard: (entry) => this.#discard(entry),
    });
    this.#lifecycle = new Lifecycle<T>(this.name, this.#clock, this.#ledger, this.#waiters as WaitRoom<unknown>, this.#creator, {
      destroy: (entry, reason) => this.#destroy(entry, reason),
      stopping: () => this.#housekeeper?.stop(),
      settled: () => this.#settleDestroys(),
      minIdleOpen: () => this.#ledger.open.size >= this.options.minIdle,
      unreachable: () => this.#unreachable(),
      fill: () => this.#fill(),
    });
    if (Housekeeper.wanted(o)) {
      this.#housekeeper = new Housekeeper<T>(o, this.#ledger, {
        retireReason: (entry, now) => this.#retireReason(entry, now),
        destroy: (entry, reason) => this.#destroy(entry, reason),
        leaked: (entry, heldMs) => this.#leaked(entry, heldMs),
        fill: () => this.#fill(),
      });
      this.#housekeeper.start();
    }
    if (o.minIdle > 0) this.#fill();
  }

  // ---- checkout ---------------------------------------------------------------------------

  acquire(options?: AcquireOptions): Promise<Lease<T>> {
    if (this.#lifecycle.phase !== 'open') return Promise.reject(this.#lifecycle.closedError());
    let timeoutMs: number | undefined;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      try {
        ({ timeoutMs, signal } = checkAcquireOptions(options));
      } catch (error) {
        return Promise.reject(error);
      }
      if (signal?.aborted) {
        this.#counters.aborted++;
        return Promise.reject(new AcquireAbortedError(this.name, signal.reason));
      }
    }
    const admitted = this.admit();
    if (admitted !== undefined) return admitted instanceof Lease ? Promise.resolve(admitted) : Promise.reject(admitted);
    // Taken here, not at hand-off: a queued acquire is served from whoever released, not the acquirer.
    const stack = this.#trackStacks ? captureStack() : undefined;
    // Idle connections exist only while nobody waits, so taking one here never jumps the queue.
    if (this.#ledger.idle.length > 0 && this.#waiters.length === 0) {
      const now = this.#clock.now();
      const entry = this.#takeIdle(now);
      if (entry !== undefined) {
        if (!this.#needsPing(entry, now)) return Promise.resolve(this.#checkout(entry, now, now, stack));
        return new Promise((resolve, reject) => this.#ping(entry, this.#waiters.create(resolve, reject, now, timeoutMs, signal, stack)));
      }
    }
    return this.#wait(timeoutMs, signal, stack);
  }

  use<R>(fn: (connection: T, lease: Lease<T>) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    // Checked before the checkout: a bad argument must not cost a connection.
    if (typeof fn !== 'function') return Promise.reject(new InvalidOptionError('fn', fn, 'a function (connection, lease) => result'));
    return useLease(this.acquire(options), fn);
  }

  /** Same as `lease.release()`, but checks that the lease is this pool's. */
  release(lease: Lease<T>): void {
    releaseOwned(lease, this.name, this);
  }

  #wait(timeoutMs: number | undefined, signal: AbortSignal | undefined, stack: string | undefined): Promise<Lease<T>> {
    const maxWaiters = this.options.maxWaiters;
    // maxWaiters counts acquires that wait for a busy connection: those a new connection will
    // serve (up to max) do not count, so maxWaiters 0 means "open one or fail, never queue".
    if (maxWaiters !== Infinity && this.#waiters.length - Math.max(0, this.options.max - this.#ledger.open.size) >= maxWaiters) {
      this.#counters.rejected++;
      return Promise.reject(new QueueFullError(this.name, maxWaiters));
    }
    const now = this.#clock.now();
    const promise = new Promise<Lease<T>>(capture);
    const resolve = captured.resolve as (lease: Lease<T>) => void;
    const reject = captured.reject;
    try {
      this.#waiters.push(this.#waiters.create(resolve, reject, now, timeoutMs, signal, stack));
      this.#fill();
    } catch (error) {
      reject(error); // as a throw in an executor would
    }
    return promise;
  }

  #expired(waiter: Waiter<Lease<T>>): void {
    this.#counters.timeouts++;
    const status = this.status();
    const waitMs = this.#clock.now() - waiter.enqueuedAt;
    if (this.#events.wants('timeout')) this.#events.emit('timeout', { pool: this.name, waitMs, pending: status.pending });
    const last = this.#creator.lastError;
    waiter.reject(
      new AcquireTimeoutError(
        `Timed out after ${Math.round(this.#waiters.deadlineOf(waiter) - waiter.enqueuedAt)} ms waiting for a connection from pool "${this.name}" (${describeStatus(status)})` +
          (last === undefined ? '' : `; last connect error: ${messageOf(last)}`),
        status,
        last,
      ),
    );
    this.#lifecycle.check();
  }

  #aborted(waiter: Waiter<Lease<T>>): void {
    this.#counters.aborted++;
    waiter.reject(new AcquireAbortedError(this.name, waiter.signal?.reason));
    this.#lifecycle.check();
  }

  /** Pairs idle connections with waiters in FIFO order, then opens connections for the rest. */
  #dispatch(): void {
    while (this.#waiters.length > 0 && this.#ledger.idle.length > 0) {
      const now = this.#clock.now();
      const entry = this.#takeIdle(now);
      if (entry === undefined) break;
      this.#serve(entry, this.#waiters.shift()!, now);
    }
    this.#fill();
  }

  /** An idle connection, out of the idle list and in use; idle ones due for retirement are closed on the way. */
  #takeIdle(now: number): PoolEntry<T> | undefined {
    const idle = this.#ledger.idle;
    for (let entry = this.#lifo ? idle.tail : idle.head; entry !== undefined; entry = this.#lifo ? idle.tail : idle.head) {
      this.#ledger.move(entry, 'leased');
      const retire = this.#retireReason(entry, now);
      if (retire === undefined) {
        this.factory.activate?.(entry.connection);
        return entry;
      }
      this.#destroy(entry, retire);
    }
    return undefined;
  }

  #serve(entry: PoolEntry<T>, waiter: Waiter<Lease<T>>, now: number): void {
    if (this.#needsPing(entry, now)) this.#ping(entry, waiter);
    else this.#hand(entry, waiter, now);
  }

  #hand(entry: PoolEntry<T>, waiter: Waiter<Lease<T>>, now: number): void {
    if (waiter.settled) {
      // Aborted or timed out while its connection was being pinged: the connection goes back.
      this.park(entry, now);
      return;
    }
    this.#waiters.resolve(waiter, this.#checkout(entry, now, waiter.enqueuedAt, waiter.stack));
  }

  #checkout(entry: PoolEntry<T>, now: number, since: number, stack: string | undefined): Lease<T> {
    if (entry.holders++ === 0) this.#ledger.move(entry, 'leased');
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

  #needsPing(entry: PoolEntry<T>, now: number): boolean {
    return this.#prePing && now - entry.lastUsedAt > this.#prePingBypassMs && !(entry.uses === 0 && now - entry.createdAt < FRESH_MS);
  }

  async #ping(entry: PoolEntry<T>, waiter: Waiter<Lease<T>>): Promise<void> {
    this.#ledger.move(entry, 'pinging');
    let ok = false;
    try {
      const ms = this.options.validateTimeoutMs;
      ok = (await within(this.factory.validate!(entry.connection), ms, this.#clock, () => new Error(`ping timed out after ${ms} ms`))) === true;
    } catch (error) {
      this.#events.report('validate', error, entry.id);
    }
    const now = this.#clock.now();
    if (entry.state === 'pinging') {
      // Broken, invalidateAll() or close() may have come while the ping was out.
      const retire = ok ? this.#retireReason(entry, now) : 'validation-failed';
      if (retire === undefined) {
        entry.lastUsedAt = now;
        this.#hand(entry, waiter, now);
        return;
      }
      if (!ok) {
        this.#counters.validationFailures++;
        // A dead connection found by a ping means its replacement should wait like any failed connect.
        this.#creator.noteFailure(new Error('pre-ping failed'));
      }
      this.#destroy(entry, retire);
    }
    if (!waiter.settled) {
      if (this.#lifecycle.phase === 'closing') this.#waiters.reject(waiter, this.#lifecycle.closedError());
      else if (this.#waiters.deadlineOf(waiter) <= now) {
        this.#waiters.forget(waiter);
        this.#expired(waiter);
      } else this.#waiters.unshift(waiter, now); // it keeps its place: the failed ping was the pool's fault
    }
    this.#dispatch();
  }

  // ---- return -----------------------------------------------------------------------------

  [returnLease](target: LeaseTarget<T>, invalidate: boolean, reason: unknown): void {
    const entry = target as PoolEntry<T>;
    if (entry.state !== 'leased') return; // closed by close() while checked out: nothing to give back
    this.#counters.released++;
    const now = this.#clock.now();
    entry.lastUsedAt = now;
    if (this.#events.wantsCheckin()) {
      this.#events.emit('checkin', { pool: this.name, id: entry.id, connection: entry.connection, heldMs: now - entry.checkedOutAt });
    }
    if (invalidate) {
      this.#events.emit('invalidate', { pool: this.name, id: entry.id, reason });
      entry.doomed = 'invalidated';
    }
    if (--entry.holders > 0) return; // shared (StaticPool): the last holder's return decides
    const retire = this.#retireReason(entry, now);
    if (retire !== undefined) this.retire(entry, retire);
    else if (this.#resetOnReturn) this.#reset(entry);
    else this.park(entry, now);
  }

  #reset(entry: PoolEntry<T>): void {
    this.#ledger.move(entry, 'resetting');
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
    if (entry.state !== 'resetting') return; // closed by close() meanwhile
    if (this.#events.wants('reset')) this.#events.emit('reset', { pool: this.name, id: entry.id, connection: entry.connection });
    // Broken, invalidateAll() or max lifetime may have come while the reset ran.
    const now = this.#clock.now();
    const retire = this.#retireReason(entry, now);
    if (retire !== undefined) this.retire(entry, retire);
    else this.park(entry, now);
  }

  #resetFailed(entry: PoolEntry<T>, error: unknown): void {
    if (entry.state !== 'resetting') return;
    this.#events.report('reset', error, entry.id);
    this.#events.emit('invalidate', { pool: this.name, id: entry.id, reason: error });
    this.#creator.noteFailure(error);
    this.retire(entry, 'reset-failed');
  }

  /**
   * Where a free, healthy connection goes: straight to the head waiter, else idle (closed instead
   * when the pool is over its size or closing). A pool class overrides this to keep nothing
   * (NullPool) or to share one connection with every waiter (StaticPool).
   */
  protected park(entry: PoolEntry<T>, now: number): void {
    if (this.serveNext(entry, now)) return;
    if (this.#lifecycle.phase !== 'open') this.#destroy(entry, 'pool-closed');
    else if (this.#ledger.open.size > this.options.size) this.#destroy(entry, 'overflow');
    else {
      this.#ledger.move(entry, 'idle', now);
      this.factory.passivate?.(entry.connection);
    }
  }

  /** Hands a free connection to the longest waiter; false when nobody waits. */
  protected serveNext(entry: PoolEntry<T>, now: number): boolean {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) return false;
    this.#serve(entry, waiter, now);
    return true;
  }

  /**
   * An acquire's first step, before the queue: a pool class may answer it itself with a lease
   * (StaticPool shares its open connection) or refuse it with an error (AssertionPool while held).
   */
  protected admit(): Lease<T> | Error | undefined {
    return undefined;
  }

  /**
   * A checkout of a connection that is already checked out, for a pool class that shares one;
   * undefined when the connection is due for retirement (the acquire then queues for a new one).
   */
  protected share(entry: PoolEntry<T>): Lease<T> | undefined {
    const now = this.#clock.now();
    if (this.#lifecycle.phase !== 'open' || this.#retireReason(entry, now) !== undefined) return undefined;
    return this.#checkout(entry, now, now, this.#trackStacks ? captureStack(2) : undefined);
  }

  /** Connections checked out, being pinged or reset, plus acquires waiting: zero means nobody holds or wants one. */
  protected get outstanding(): number {
    return this.#ledger.inUse + this.#waiters.length;
  }

  /** Close a connection instead of reusing it, and let waiters have its place. */
  protected retire(entry: PoolEntry<T>, reason: CloseReason): void {
    this.#destroy(entry, reason);
    this.#dispatch();
  }

  #retireReason(entry: PoolEntry<T>, now: number): CloseReason | undefined {
    if (this.#lifecycle.phase === 'closing') return 'pool-closed';
    if (entry.doomed !== undefined) return entry.doomed;
    if (entry.generation !== this.#generation) return 'invalidated';
    if (entry.expiresAt <= now) return 'max-lifetime';
    if (this.#maxUses > 0 && entry.uses >= this.#maxUses) return 'max-uses';
    return undefined;
  }

  // ---- connections ------------------------------------------------------------------------

  /** Opens connections for unserved waiters and min idle, within max, maxConnecting and the backoff. */
  #fill(): void {
    if (this.#lifecycle.phase === 'closing') return;
    const o = this.options;
    const ledger = this.#ledger;
    // At max nothing can be opened: the common case under load, so it returns before any arithmetic.
    if (ledger.open.size + ledger.connecting >= o.max) return;
    let wanted = this.#waiters.length - ledger.connecting;
    if (this.#lifecycle.phase === 'open' && o.minIdle > 0) {
      // Min idle stays within size: an overflow connection closes on return, and would be reopened at once.
      wanted = Math.max(wanted, Math.min(o.minIdle - ledger.idle.length, o.size - ledger.open.size) - ledger.connecting);
    }
    if (wanted <= 0) return;
    let room = this.#creator.room(this.#waiters.length > 0);
    while (wanted-- > 0 && room-- > 0 && ledger.open.size + ledger.connecting < o.max) this.#creator.start(this.#generation);
  }

  #opened(entry: PoolEntry<T>, durationMs: number): void {
    const now = this.#clock.now();
    const o = this.options;
    entry.createdAt = now;
    entry.lastUsedAt = now;
    entry.expiresAt = o.maxLifetimeMs > 0 && o.maxLifetimeMs !== Infinity ? now + o.maxLifetimeMs * (1 - o.maxLifetimeJitter * o.random()) : Infinity;
    this.#counters.created++;
    if (this.#events.wants('connect')) {
      this.#events.emit('connect', { pool: this.name, id: entry.id, connection: entry.connection, durationMs });
    }
    const retire = this.#retireReason(entry, now);
    if (retire !== undefined) {
      this.#ledger.move(entry, 'leased'); // open, so that closing it counts and reports like any other
      this.retire(entry, retire);
      return;
    }
    this.park(entry, now);
    this.#lifecycle.readyCheck(undefined);
    // maxConnecting may have held back connects for other waiters; this one's slot is free now.
    this.#fill();
  }

  #createFailed(error: CreateFailedError): void {
    this.#counters.createErrors++;
    if (this.#lifecycle.phase === 'closing') return;
    this.#events.report(error.phase, error, undefined);
    if (this.#unreachable()) {
      // Nothing is open that could come back to a waiter, and nothing else is connecting: the
      // database is down or refuses us. Waiting out acquireTimeoutMs would only hide that.
      this.#counters.failedFast += this.#waiters.length;
      this.#waiters.rejectAll(() => error);
      this.#lifecycle.readyCheck(error);
      this.#lifecycle.check();
    }
    this.#fill();
  }

  /**
   * failFast applies: nothing open or connecting, the last connect failed, and either the pool
   * never connected (a wrong address or password) or it has been failing for failFastAfterMs (a
   * database that is down, not restarting).
   */
  #unreachable(): boolean {
    const creator = this.#creator;
    if (!this.options.failFast || !creator.failing || this.#ledger.open.size > 0 || this.#ledger.connecting > 0) return false;
    return !creator.everConnected || this.#clock.now() - creator.failingSince >= this.options.failFastAfterMs;
  }

  /** Called by the driver when a connection dies on its own. */
  #broken(entry: PoolEntry<T>, error: unknown): void {
    if (entry.state === 'closed' || entry.doomed === 'broken') return;
    const idle = entry.state === 'idle';
    entry.doomed = 'broken';
    this.#events.report(idle ? 'idle' : 'in-use', error, entry.id);
    if (idle) {
      this.#destroy(entry, 'broken');
      this.#fill();
    }
    // One in use is closed when it comes back; the caller sees its query fail meanwhile.
  }

  #destroy(entry: PoolEntry<T>, reason: CloseReason): void {
    if (entry.state === 'closed') return;
    this.#ledger.move(entry, 'closed');
    entry.holders = 0;
    this.#counters.destroyed++;
    if (this.#events.wants('close')) this.#events.emit('close', { pool: this.name, id: entry.id, reason });
    this.#discard(entry);
    this.#lifecycle.check();
  }

  /** Closes the driver connection in the background; failures are reported, never thrown. */
  #discard(entry: PoolEntry<T>): void {
    const connection = entry.connection;
    const done = (async () => {
      try {
        // A close is awaited (close(), dispose()): an idle socket must keep the process alive until it is done.
        if (entry.idleSince > 0) this.factory.activate?.(connection);
        await this.factory.destroy(connection);
      } catch (error) {
        this.#events.report('destroy', error, entry.id);
      }
    })();
    this.#destroying.add(done);
    void done.then(() => this.#destroying.delete(done));
  }

  #leaked(entry: PoolEntry<T>, heldMs: number): void {
    this.#counters.leaks++;
    this.#events.leaked(entry.id, heldMs, entry.stack);
  }

  // ---- status, events, lifecycle ----------------------------------------------------------

  status(): PoolStatus {
    const ledger = this.#ledger;
    const size = ledger.open.size;
    return {
      name: this.name,
      size,
      idle: ledger.idle.length,
      inUse: ledger.inUse,
      overflow: Math.max(0, size - this.options.size),
      pending: this.#waiters.length,
      connecting: ledger.connecting,
      backoffMs: this.#creator.backoffMs,
      max: this.options.max,
      closed: this.#lifecycle.phase !== 'open',
      counters: { ...this.#counters },
    };
  }

  on<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<T>[K]) => void): void {
    this.#events.off(event, listener);
  }

  ready(): Promise<void> {
    return this.#lifecycle.ready();
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
    let soft: boolean;
    try {
      soft = checkInvalidateOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#generation++;
    this.#creator.resetBackoff();
    if (soft) {
      this.#events.emit('soft-invalidate', { pool: this.name, generation: this.#generation });
    } else {
      for (const entry of this.#ledger.idle.toArray()) {
        this.#events.emit('invalidate', { pool: this.name, id: entry.id, reason: 'invalidateAll' });
        this.#destroy(entry, 'dispose');
      }
    }
    this.#fill();
    return this.#settleDestroys();
  }

  /**
   * Stop new checkouts and close every connection: idle ones at once, checked-out ones when they
   * come back or at `timeoutMs`. Without `drain`, queued acquires fail at once (HAVUZ_POOL_CLOSED);
   * with it they are still served until the deadline. Resolves when every connection is closed.
   */
  close(options?: CloseOptions): Promise<void> {
    let timeoutMs: number;
    let drain: boolean;
    try {
      ({ timeoutMs, drain } = checkCloseOptions(options));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#lifecycle.close(timeoutMs, drain);
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
