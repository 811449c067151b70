import type { Clock, TimerHandle } from '../core/clock.js';
import { AcquireTimeoutError } from '../core/errors.js';
import type { Lease } from '../core/lease.js';
import type { ConnectionPool } from '../core/pool.js';
import { describeStatus } from '../core/stats.js';
import { withDeadline } from '../core/timeouts.js';
import type { Pipelining, QueryResult } from '../drivers/dialect.js';
import { classifyError, type ConnectionContext } from './connection.js';

/** How the engine pipelines autocommit statements (the `pipeline` option, resolved). */
export interface PipelineSettings {
  /** Statements in flight on one connection, at most. */
  readonly depth: number;
  /**
   * A connection whose oldest statement has run this long takes no more; a statement queued this
   * long while a connection is stalled moves to a connection of its own.
   */
  readonly stallMs: number;
}

/**
 * Statements that change session or transaction state, stream, or may hold several statements:
 * they run on a dedicated connection as before, never behind or in front of someone else's.
 * A leading comment could hide any of them, so it counts as one too.
 */
const DEDICATED = /^\s*(?:--|\/\*|(?:begin|start|commit|end|rollback|abort|savepoint|release|prepare|execute|deallocate|set|reset|discard|listen|unlisten|copy|declare|fetch|move|close|lock|do|call)\b)/i;

/** How long a cancelled statement may take to stop before its connection is dropped (as the dialect's own deadline). */
const CANCEL_GRACE_MS = 2_000;
/** Connections being opened for lanes at once; more only add connects nobody waits for. */
const MAX_GROWING = 2;
/** How often (in answered statements) lanes look whether a dedicated checkout is waiting for them. */
const YIELD_CHECK_EVERY = 64;

type Dedicated = (sql: string, params: readonly unknown[] | undefined) => Promise<QueryResult<unknown>>;

interface Job {
  readonly sql: string;
  readonly params: readonly unknown[] | undefined;
  readonly resolve: (result: QueryResult<unknown>) => void;
  readonly reject: (error: unknown) => void;
  queuedAt: number;
  /** Re-run once on a dedicated connection after a cancel meant for another statement hit it. */
  retried: boolean;
}

/** One statement on the wire of one lane. */
interface Flight {
  readonly job: Job;
  readonly sentAt: number;
  /** The lane's cancel count when this was sent: a later cancel may have hit this statement. */
  readonly cancelsBefore: number;
  /** Its own deadline cancelled it. */
  cancelled: boolean;
  /** Its deadline passed while statements ahead of it still ran: cancel it once it is the one running. */
  onHead: (() => void) | undefined;
}

/** A checked-out connection in pipeline mode, with its statements in the order the server answers them. */
class Lane<C> {
  readonly inflight: Flight[] = [];
  /** Takes new statements. Off once it is lost, past maxQueries, in a transaction, or yielding. */
  open = true;
  lost: unknown = undefined;
  cancels = 0;
  /** When its head last changed: a statement was sent to it idle, or one was answered. */
  progressAt = 0;
  retired = false;
  idleCheck = false;

  constructor(
    readonly lease: Lease<C>,
    readonly raw: C,
  ) {}
}

/**
 * Autocommit `engine.query` statements on shared, pipelined connections ("lanes"): each lane is a
 * pool checkout, so the pool still bounds connections and its waiters; a statement goes to the
 * least busy lane with room (at most `depth` in flight, none stalled), else waits here in order.
 * Each statement ends with its own Sync, so it is its own implicit transaction and its error
 * never touches the others. A lane goes back to the pool as soon as it is idle.
 */
export class Pipeline<C> {
  readonly #pool: ConnectionPool<C>;
  readonly #context: ConnectionContext<C>;
  readonly #pipelining: Pipelining<C>;
  readonly #dedicated: Dedicated;
  readonly #depth: number;
  readonly #stallMs: number;
  readonly #clock: Clock;
  readonly #timeoutMs: number | undefined;
  readonly #maxQueued: number;
  #lanes: Lane<C>[] = [];
  #queue: Job[] = [];
  #queueHead = 0;
  #growing = 0;
  #answered = 0;
  #timer: TimerHandle | undefined = undefined;
  /** What the dispatcher did, for tests and diagnosis. */
  readonly counters = { lanesOpened: 0, movedToOwn: 0, yielded: 0, retried: 0, stalledSkips: 0 };
  /** The latest progress of any lane. */
  #progressAt = 0;
  /** The pool handed out a connection that cannot pipeline (pg-native): every statement runs dedicated. */
  #unsupported = false;
  #stopped = false;

  constructor(pool: ConnectionPool<C>, context: ConnectionContext<C>, pipelining: Pipelining<C>, settings: PipelineSettings, dedicated: Dedicated) {
    this.#pool = pool;
    this.#context = context;
    this.#pipelining = pipelining;
    this.#dedicated = dedicated;
    this.#depth = settings.depth;
    this.#stallMs = settings.stallMs;
    this.#clock = pool.options.clock;
    this.#timeoutMs = context.queryOptions?.timeoutMs;
    const { maxWaiters, max } = pool.options;
    // Beyond this the statement takes the dedicated path, where the pool's maxWaiters refuses it.
    this.#maxQueued = maxWaiters === Infinity ? Infinity : maxWaiters + max * settings.depth;
  }

  /** Statements in flight on lanes and waiting for one: for tests and status. */
  get stats(): { lanes: number; inflight: number; queued: number } {
    let inflight = 0;
    for (const lane of this.#lanes) inflight += lane.inflight.length;
    return { lanes: this.#lanes.length, inflight, queued: this.#queue.length - this.#queueHead };
  }

  /**
   * The engine is closing: lanes take nothing more and go back once drained; statements from now
   * on take the dedicated path, where the closed pool refuses them as it refuses any checkout.
   */
  stop(): void {
    this.#stopped = true;
    for (const lane of [...this.#lanes]) {
      lane.open = false;
      this.#drop(lane);
      if (lane.inflight.length === 0) this.#retire(lane);
    }
    this.#flushToDedicated();
  }

  query<R>(sql: string, params: readonly unknown[] | undefined): Promise<QueryResult<R>> {
    // Bad arguments get the dedicated path's own coded errors.
    if (this.#stopped || this.#unsupported || typeof sql !== 'string' || (params !== undefined && !Array.isArray(params)) || sql.includes(';') || DEDICATED.test(sql)) {
      return this.#dedicated(sql, params) as Promise<QueryResult<R>>;
    }
    return new Promise<QueryResult<unknown>>((resolve, reject) => {
      const job: Job = { sql, params, resolve, reject, queuedAt: 0, retried: false };
      const lane = this.#pick();
      // Spread before going deeper (as postgres.js does): while the pool has room, a statement
      // waits for a lane of its own rather than queue on the wire behind another; a lane that
      // opens finds it here. Pipelining starts once every connection the pool may open is a lane.
      if (lane !== undefined && (lane.inflight.length === 0 || !(this.#laneComing() || this.#roomToSpread()))) {
        this.#send(lane, job);
        return;
      }
      if (this.#queue.length - this.#queueHead >= this.#maxQueued) {
        this.#dedicate(job);
        return;
      }
      job.queuedAt = this.#clock.now();
      this.#queue.push(job);
      this.#grow();
      this.#arm();
    }) as Promise<QueryResult<R>>;
  }

  /**
   * A lane being opened has no statement waiting for it yet. Sent to a busy lane instead, the
   * statement could sit behind a slow one while that lane opens with nothing to do.
   */
  #laneComing(): boolean {
    return this.#growing > this.#queue.length - this.#queueHead;
  }

  /**
   * The pool can hand this dispatcher another connection at once: one idle, or room to open one,
   * and nobody queued for it. Otherwise (every connection a lane, or others holding the rest) the
   * statement is better pipelined now than queued for a checkout that may not come soon.
   */
  #roomToSpread(): boolean {
    const max = this.#pool.options.max;
    if (this.#lanes.length + this.#growing >= max) return false;
    const status = this.#pool.status();
    return status.pending <= this.#growing && (status.idle > 0 || status.size + status.connecting < max);
  }

  /** The least busy lane with room that is not stalled behind a slow statement. */
  #pick(): Lane<C> | undefined {
    let best: Lane<C> | undefined;
    let now = -1;
    for (const lane of this.#lanes) {
      const n = lane.inflight.length;
      if (!lane.open || n >= this.#depth) continue;
      if (n === 0) return lane;
      if (best !== undefined && best.inflight.length <= n) continue;
      if (now < 0) now = this.#reference();
      if (now - lane.progressAt > this.#stallMs) {
        this.counters.stalledSkips++;
        continue;
      }
      best = lane;
    }
    return best;
  }

  /**
   * What a lane's progress is measured against. With several lanes, the latest progress of any of
   * them: a stalled lane is one that stood still while the others moved, so a busy event loop,
   * which delays every answer alike, stalls none. With one, the clock.
   */
  #reference(): number {
    return this.#lanes.length > 1 ? this.#progressAt : this.#clock.now();
  }

  #stalled(lane: Lane<C>, reference: number): boolean {
    return lane.inflight.length > 0 && reference - lane.progressAt > this.#stallMs;
  }

  #send(lane: Lane<C>, job: Job): void {
    const { dialect, maxQueries, queryCounts } = this.#context;
    const raw = lane.raw;
    const now = this.#clock.now();
    const flight: Flight = { job, sentAt: now, cancelsBefore: lane.cancels, cancelled: false, onHead: undefined };
    if (lane.inflight.length === 0) this.#progress(lane, now);
    lane.inflight.push(flight);
    if (maxQueries > 0) {
      const count = (queryCounts.get(raw as object) ?? 0) + 1;
      queryCounts.set(raw as object, count);
      if (count >= maxQueries) lane.open = false;
    }
    let running: Promise<QueryResult<unknown>>;
    try {
      running = dialect.query(raw, job.sql, job.params);
    } catch (error) {
      running = Promise.reject(error);
    }
    const timeoutMs = this.#timeoutMs;
    if (timeoutMs !== undefined) {
      running = withDeadline(
        running,
        { timeoutMs, graceMs: CANCEL_GRACE_MS, cancel: () => this.#cancel(lane, flight), destroy: () => this.#pipelining.drop(raw) },
        this.#clock,
      );
    }
    running.then(
      (result) => {
        this.#landed(lane, flight);
        if (this.#context.observers.active) this.#observe(flight, result.rowCount, undefined);
        job.resolve(result);
      },
      (error: unknown) => this.#failed(lane, flight, error),
    );
  }

  #failed(lane: Lane<C>, flight: Flight, error: unknown): void {
    const { dialect } = this.#context;
    if (dialect.isConnectionLost(error)) this.#lose(lane, error);
    this.#landed(lane, flight);
    const job = flight.job;
    // A cancel is for whatever the server runs when it arrives: if the statement it was sent for
    // had just finished, it stopped the next one. That one's implicit transaction rolled back, so
    // running it again is safe; it runs on a connection of its own.
    if (!flight.cancelled && !job.retried && lane.cancels > flight.cancelsBefore && dialect.errorCode(error) === '57014') {
      job.retried = true;
      this.counters.retried++;
      this.#dedicate(job);
      return;
    }
    const classified = classifyError(dialect, error, this.#context.statementTimeoutMs);
    if (this.#context.observers.active) this.#observe(flight, undefined, classified);
    job.reject(classified);
  }

  #observe(flight: Flight, rowCount: number | undefined, error: unknown): void {
    const { observers, poolName: pool } = this.#context;
    const { sql, params } = flight.job;
    observers.emit({ pool, sql, params, durationMs: this.#clock.now() - flight.sentAt, rowCount, error });
  }

  #progress(lane: Lane<C>, now: number): void {
    lane.progressAt = now;
    if (now > this.#progressAt) this.#progressAt = now;
  }

  /** The deadline's cancel: sent once the statement is the one the server runs, never earlier. */
  #cancel(lane: Lane<C>, flight: Flight): Promise<void> {
    const send = (): Promise<void> => {
      flight.cancelled = true;
      lane.cancels++;
      return this.#pipelining.cancel(lane.raw);
    };
    if (lane.inflight[0] === flight) return send();
    if (!lane.inflight.includes(flight)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      flight.onHead = () => send().then(resolve, reject);
    });
  }

  /** A statement was answered: free its place, serve the queue, and give the lane back once idle. */
  #landed(lane: Lane<C>, flight: Flight): void {
    const inflight = lane.inflight;
    const at = inflight[0] === flight ? 0 : inflight.indexOf(flight);
    if (at >= 0) inflight.splice(at, 1);
    this.#progress(lane, this.#clock.now());
    const head = inflight[0];
    if (head?.onHead !== undefined) {
      const cancel = head.onHead;
      head.onHead = undefined;
      cancel();
    }
    if (lane.open) {
      // A statement opened a transaction (a BEGIN hidden from the check above): what follows on this
      // connection would run inside it. It takes nothing more; the reset on return rolls it back.
      const status = this.#pipelining.transactionStatus(lane.raw);
      if (status !== null && status !== 'I') lane.open = false;
      else if (++this.#answered % YIELD_CHECK_EVERY === 0) this.#yieldIfWanted();
    }
    if (lane.open) this.#fill(lane);
    if (inflight.length === 0) this.#idle(lane);
  }

  /** A dedicated checkout (a transaction, connect()) waits in the pool: the least busy lane goes back to it. */
  #yieldIfWanted(): void {
    // Not to this dispatcher's own lanes being opened. Its statements moved to connections of their
    // own are served too: a moved statement must not wait behind lanes that never go idle.
    if (this.#pool.status().pending <= this.#growing) return;
    let least: Lane<C> | undefined;
    for (const lane of this.#lanes) if (lane.open && (least === undefined || lane.inflight.length < least.inflight.length)) least = lane;
    if (least === undefined) return;
    least.open = false;
    this.counters.yielded++;
    this.#drop(least);
    if (least.inflight.length === 0) this.#retire(least);
  }

  #fill(lane: Lane<C>): void {
    // Just answered or just opened: it is not stalled, and filling it needs no clock.
    while (this.#queueHead < this.#queue.length && lane.open && lane.inflight.length < this.#depth) this.#send(lane, this.#shift()!);
  }

  #shift(): Job | undefined {
    const queue = this.#queue;
    if (this.#queueHead >= queue.length) return undefined;
    const job = queue[this.#queueHead]!;
    (queue as (Job | undefined)[])[this.#queueHead] = undefined;
    this.#queueHead++;
    if (this.#queueHead === queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
      // Nobody waits any more: a timer left armed would keep the process alive for nothing.
      if (this.#timer !== undefined) {
        this.#clock.clearTimeout(this.#timer);
        this.#timer = undefined;
      }
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > queue.length) {
      this.#queue = queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    return job;
  }

  #idle(lane: Lane<C>): void {
    if (!lane.open || this.#queue.length > this.#queueHead) {
      this.#retire(lane);
      return;
    }
    // Kept until the next turn of the event loop: a caller that queries again at once reuses it.
    if (lane.idleCheck) return;
    lane.idleCheck = true;
    setImmediate(() => {
      lane.idleCheck = false;
      if (lane.inflight.length === 0) this.#retire(lane);
    });
  }

  #lose(lane: Lane<C>, error: unknown): void {
    lane.lost ??= error;
    lane.open = false;
    this.#drop(lane);
  }

  /** Off the list of lanes new statements may go to. */
  #drop(lane: Lane<C>): void {
    const at = this.#lanes.indexOf(lane);
    if (at >= 0) this.#lanes.splice(at, 1);
  }

  #retire(lane: Lane<C>): void {
    if (lane.retired) return;
    lane.retired = true;
    this.#drop(lane);
    const { maxQueries, queryCounts } = this.#context;
    if (lane.lost !== undefined) {
      lane.lease.invalidate(lane.lost);
      return;
    }
    this.#pipelining.set(lane.raw, false);
    if (maxQueries > 0 && (queryCounts.get(lane.raw as object) ?? 0) >= maxQueries) lane.lease.invalidate('max queries');
    else lane.lease.release();
  }

  /** Another connection for lanes, when the pool has room for one. */
  #grow(): void {
    if (this.#growing >= MAX_GROWING || this.#lanes.length + this.#growing >= this.#pool.options.max) return;
    // With lanes to serve the queue, wait in the pool for no more: a checkout that stays queued
    // (the other connections held elsewhere) would only show as a waiter and take the next one freed.
    if (this.#lanes.length > 0 && !this.#roomToSpread()) return;
    this.#growing++;
    this.#pool.acquire().then(
      (lease) => {
        this.#growing--;
        const raw = lease.connection;
        if (this.#stopped) {
          lease.release();
          return;
        }
        if (!this.#pipelining.supports(raw)) {
          this.#unsupported = true;
          lease.release();
          this.#flushToDedicated();
          return;
        }
        this.#pipelining.set(raw, true);
        const lane = new Lane(lease, raw);
        this.counters.lanesOpened++;
        this.#lanes.push(lane);
        this.#fill(lane);
        if (this.#queue.length > this.#queueHead) this.#grow();
        if (lane.inflight.length === 0) this.#idle(lane);
      },
      () => {
        this.#growing--;
        // No lane to wait for: the dedicated path gives each statement the pool's own answer
        // (a connection later, or its timeout, closed or create error).
        if (this.#lanes.length === 0 && this.#growing === 0) this.#flushToDedicated();
      },
    );
  }

  #flushToDedicated(): void {
    for (let job = this.#shift(); job !== undefined; job = this.#shift()) this.#dedicate(job);
  }

  #dedicate(job: Job): void {
    this.#dedicated(job.sql, job.params).then(job.resolve, job.reject);
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#queue.length === this.#queueHead) return;
    const waited = this.#clock.now() - this.#queue[this.#queueHead]!.queuedAt;
    // Past stallMs already (kept its place behind busy lanes): look again a stallMs later.
    const delay = waited < this.#stallMs ? this.#stallMs - waited : this.#stallMs;
    this.#timer = this.#clock.setTimeout(() => this.#check(), Math.max(1, delay));
  }

  /**
   * Statements queued longer than stallMs: when a lane is stalled behind a slow statement (or
   * there is none), they move to connections of their own; when every lane is merely busy they
   * keep their place, up to the pool's acquire timeout.
   */
  #check(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    const reference = this.#reference();
    // No lane and none being opened: nothing to wait for here. A lane being opened is worth the
    // wait (moving everything to connections of its own would crowd out the lanes for good).
    let stalled = this.#lanes.length === 0 ? this.#growing === 0 : this.#lanes.some((lane) => this.#stalled(lane, reference));
    if (stalled && this.#lanes.length > 0) {
      // Moving only helps when the pool can hand out a connection soon; when its every connection is
      // a lane, the statement is served sooner by the lanes that still move than by a queue for one.
      const status = this.#pool.status();
      stalled = status.pending === 0 && (status.idle > 0 || status.size + status.connecting < status.max);
    }
    const acquireTimeoutMs = this.#pool.options.acquireTimeoutMs;
    for (let job = this.#queue[this.#queueHead]; job !== undefined; job = this.#queue[this.#queueHead]) {
      const waited = now - job.queuedAt;
      if (waited < this.#stallMs) break;
      if (stalled) {
        this.counters.movedToOwn++;
        this.#dedicate(this.#shift()!);
      }
      else if (waited >= acquireTimeoutMs) {
        this.#shift();
        const status = this.#pool.status();
        job.reject(new AcquireTimeoutError(`Timed out after ${Math.round(waited)} ms waiting for a pipelined connection from pool "${this.#pool.name}" (${describeStatus(status)})`, status, undefined));
      } else break;
    }
    this.#arm();
  }
}
