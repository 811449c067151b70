import { CreateFailedError } from '../core/errors.js';
import { PoolEvents, type CloseReason, type PoolEventMap, type PoolEventName } from '../core/events.js';
import type { ResolvedPoolOptions } from '../core/options.js';
import { newCounters, type PoolStatus } from '../core/stats.js';

/**
 * The MongoDB driver's connection pool monitoring (CMAP) events, as far as havuz reads them. The
 * driver's event classes carry these fields (ConnectionCheckedOutEvent, ConnectionClosedEvent, ...);
 * they are typed here because `mongodb` is an optional peer dependency.
 */
export interface CmapEvent {
  /** `host:port` of the server whose pool this is. */
  address: string;
  connectionId?: number | string;
  /** ConnectionClosed: stale, idle, error, poolClosed. CheckOutFailed: poolClosed, timeout, connectionError. */
  reason?: string;
  /** ConnectionReady: how long the connect and handshake took. CheckedOut / CheckOutFailed: how long the checkout waited. */
  durationMS?: number;
  error?: unknown;
  options?: { maxPoolSize?: number };
}

/** The CMAP event names, as the MongoClient emits them. */
export const CMAP_EVENTS = [
  'connectionPoolCreated',
  'connectionPoolClosed',
  'connectionCreated',
  'connectionReady',
  'connectionClosed',
  'connectionCheckOutStarted',
  'connectionCheckOutFailed',
  'connectionCheckedOut',
  'connectionCheckedIn',
] as const;
export type CmapEventName = (typeof CMAP_EVENTS)[number];

const CLOSE_REASONS: Readonly<Record<string, CloseReason>> = {
  stale: 'invalidated', // the pool was cleared (a server error bumped its generation)
  idle: 'idle-timeout',
  error: 'broken',
  poolClosed: 'pool-closed',
};

/**
 * The MongoDB driver keeps its own pool (one per server); this follows it through CMAP events and
 * shows it as a havuz pool: the same status, the same events (connect, checkout, checkin, close,
 * timeout, connection-error) and so the same histograms, Prometheus series and health grades.
 * Nothing here opens or closes a connection; the driver does.
 */
export class CmapPool {
  readonly name: string;
  readonly options: Readonly<ResolvedPoolOptions>;
  readonly #events: PoolEvents<undefined>;
  readonly #counters = newCounters();
  readonly #now: () => number;
  /** Connections created and not yet ready, by `address#id`. */
  readonly #connecting = new Set<string>();
  /** Ready connections, by `address#id`: undefined while idle, the checkout time while checked out. */
  readonly #open = new Map<string, number | undefined>();
  /** The servers whose pools exist, with their maxPoolSize. */
  readonly #pools = new Map<string, number>();
  #pending = 0;
  #inUse = 0;
  /** Callbacks re-checked after every event (close and ready wait on them). */
  readonly #watchers = new Set<() => void>();
  closed = false;

  constructor(name: string, options: Readonly<ResolvedPoolOptions>, now: () => number = () => performance.now()) {
    this.name = name;
    this.options = options;
    this.#events = new PoolEvents(name, options.logger);
    this.#now = now;
  }

  /** Feeds one CMAP event (the MongoClient's listener, or a test with the driver's own event objects). */
  observe(event: CmapEventName, e: CmapEvent): void {
    this.#apply(event, e);
    for (const check of [...this.#watchers]) check();
  }

  #apply(event: CmapEventName, e: CmapEvent): void {
    const key = `${e.address}#${String(e.connectionId)}`;
    const id = typeof e.connectionId === 'number' ? e.connectionId : Number(e.connectionId);
    switch (event) {
      case 'connectionPoolCreated':
        this.#pools.set(e.address, e.options?.maxPoolSize ?? this.options.max);
        break;
      case 'connectionPoolClosed':
        this.#pools.delete(e.address);
        break;
      case 'connectionCreated':
        this.#connecting.add(key);
        break;
      case 'connectionReady':
        this.#connecting.delete(key);
        this.#open.set(key, undefined);
        this.#counters.created++;
        if (this.#events.wants('connect')) this.#events.emit('connect', { pool: this.name, id, connection: undefined, durationMs: e.durationMS ?? 0 });
        break;
      case 'connectionClosed':
        this.#closed(key, id, e);
        break;
      case 'connectionCheckOutStarted':
        this.#pending++;
        break;
      case 'connectionCheckOutFailed':
        this.#pending = Math.max(0, this.#pending - 1);
        if (e.reason === 'timeout') {
          this.#counters.timeouts++;
          this.#events.emit('timeout', { pool: this.name, waitMs: e.durationMS ?? this.options.acquireTimeoutMs, pending: this.#pending });
        } else if (e.reason === 'connectionError') this.#counters.failedFast++;
        break;
      case 'connectionCheckedOut':
        this.#pending = Math.max(0, this.#pending - 1);
        if (this.#open.has(key)) {
          this.#open.set(key, this.#now());
          this.#inUse++;
        }
        this.#counters.acquired++;
        if (this.#events.wantsCheckout()) this.#events.emit('checkout', { pool: this.name, id, connection: undefined, waitMs: e.durationMS ?? 0 });
        break;
      case 'connectionCheckedIn': {
        const since = this.#open.get(key);
        this.#counters.released++;
        if (since === undefined) break;
        this.#open.set(key, undefined);
        this.#inUse--;
        if (this.#events.wantsCheckin()) this.#events.emit('checkin', { pool: this.name, id, connection: undefined, heldMs: this.#now() - since });
        break;
      }
    }
  }

  /**
   * Resolves true once `condition` holds (checked now and after every event), false after
   * `timeoutMs`. The timer is unref'd: it bounds a wait, it is not work of its own.
   */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (met: boolean): void => {
        this.#watchers.delete(check);
        if (timer !== undefined) clearTimeout(timer);
        resolve(met);
      };
      const check = (): void => {
        if (condition()) finish(true);
      };
      const timer = timeoutMs === Infinity ? undefined : setTimeout(() => finish(false), timeoutMs).unref();
      this.#watchers.add(check);
    });
  }

  #closed(key: string, id: number, e: CmapEvent): void {
    if (this.#connecting.delete(key)) {
      // Never became ready: a failed connect (refused, handshake or auth error), not a closed connection.
      this.#counters.createErrors++;
      this.#events.report('create', new CreateFailedError(this.name, e.error ?? new Error(`connection closed (${e.reason})`)), id);
      return;
    }
    if (!this.#open.has(key)) return;
    const held = this.#open.get(key) !== undefined;
    if (held) this.#inUse--;
    this.#open.delete(key);
    this.#counters.destroyed++;
    const reason = CLOSE_REASONS[e.reason ?? ''] ?? 'broken';
    if (reason === 'broken' && e.error != null) this.#events.report(held ? 'in-use' : 'idle', e.error, id);
    if (this.#events.wants('close')) this.#events.emit('close', { pool: this.name, id, reason });
  }

  /** A connect that failed before the driver had a pool: the server could not be reached at all. */
  connectFailed(error: CreateFailedError): void {
    this.#counters.createErrors++;
    this.#events.report('create', error, undefined);
    for (const check of [...this.#watchers]) check();
  }

  status(): PoolStatus {
    let max = 0;
    for (const size of this.#pools.values()) max += size;
    return {
      name: this.name,
      size: this.#open.size,
      idle: this.#open.size - this.#inUse,
      inUse: this.#inUse,
      overflow: 0,
      pending: this.#pending,
      connecting: this.#connecting.size,
      backoffMs: 0,
      max: max || this.options.max,
      closed: this.closed,
      counters: { ...this.#counters },
    };
  }

  on<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<undefined>[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<undefined>[K]) => void): void {
    this.#events.off(event, listener);
  }
}
