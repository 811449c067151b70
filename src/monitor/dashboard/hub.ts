import type { ServerResponse } from 'node:http';
import { systemClock, type TimerHandle } from '../../core/clock.js';
import { backgroundTimer } from '../../core/timeouts.js';
import type { MetricsRegistry } from '../registry.js';
import { PoolFeed, type FeedEvent, type PoolConfig } from './pool-feed.js';

export interface DashboardStreamOptions {
  /** How often each viewer gets a point per pool. Default 1000 ms. */
  intervalMs?: number;
  /** End every stream once all the monitored pools are closed or removed (the app's engine or manager closed). Default true. */
  endWhenClosed?: boolean;
  /** Wall clock for the points' time stamps (ms). */
  now?: () => number;
  /**
   * Ticks to keep and replay to each new viewer, so a page opened late shows the recent past
   * (`havuz monitor`, `havuz bench --live`: 600). Default 0: the timer runs only while someone
   * watches. Above 0 it runs from the start (unref'd) and the memory is this many ticks at most.
   */
  history?: number;
  /**
   * Streams open at once. Each holds a socket and, on attaching, is sent the whole history; past
   * this many a new viewer is refused with 503 and `Retry-After`, so a page left open in many tabs
   * (or a script) cannot make the app hold unbounded sockets and buffers. Default 50.
   */
  maxViewers?: number;
}

/** Seconds a refused viewer is told to wait before trying again. */
const RETRY_AFTER_S = 10;

/** A pool as `hello` and `pools` describe it. */
export interface PoolInfo {
  name: string;
  config: PoolConfig;
  events: FeedEvent[];
}

interface Viewer {
  response: ServerResponse;
  /** The socket's buffer is full: skip points until it drains, so a slow viewer costs no memory. */
  blocked: boolean;
}

/**
 * The Server-Sent Events side of the dashboard: one feed per pool of the registry (following
 * pools as they come and go), and one unref'd timer that ticks only while someone watches. Each
 * viewer gets `hello` (every pool's settings and recent events), then a `tick` per interval,
 * `pool-event` as things happen, `pools` when the set of pools changes, and `end` when it closes.
 */
export class DashboardHub {
  readonly #feeds = new Map<string, PoolFeed>();
  readonly #viewers = new Set<Viewer>();
  readonly #intervalMs: number;
  readonly #endWhenClosed: boolean;
  readonly #now: () => number;
  readonly #unwatch: () => void;
  readonly #historySize: number;
  readonly #maxViewers: number;
  /** The last ticks as sent (a ring: #historyAt is the oldest once it is full). */
  readonly #history: string[] = [];
  #historyAt = 0;
  #timer: TimerHandle | undefined;
  #eventIds = 0;
  #closed = false;

  constructor(registry: MetricsRegistry, options: DashboardStreamOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#endWhenClosed = options.endWhenClosed ?? true;
    this.#now = options.now ?? Date.now;
    this.#historySize = options.history ?? 0;
    this.#maxViewers = options.maxViewers ?? 50;
    this.#unwatch = registry.watch({
      add: (collector) => {
        this.#feeds.set(collector.name, new PoolFeed(collector, (e) => this.#event(e), { now: this.#now, nextId: () => ++this.#eventIds }));
        this.#broadcast('pools', this.#pools());
      },
      remove: (collector) => {
        this.#feeds.get(collector.name)?.stop();
        this.#feeds.delete(collector.name);
        this.#broadcast('pools', this.#pools());
        // The last pool gone (a manager closed, which removes its pools): nothing left to watch.
        if (this.#endWhenClosed && this.#feeds.size === 0) queueMicrotask(() => this.#feeds.size === 0 && this.close());
      },
    });
    if (this.#historySize > 0) this.#schedule();
  }

  get viewers(): number {
    return this.#viewers.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Turns a request's response into a stream; it ends when the viewer leaves or the hub closes. */
  attach(response: ServerResponse): void {
    if (this.#closed) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('the dashboard is closed\n');
      return;
    }
    if (this.#viewers.size >= this.#maxViewers) {
      response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': String(RETRY_AFTER_S), 'cache-control': 'no-store' });
      response.end(`the dashboard has ${this.#maxViewers} viewers already (its maxViewers); close one or try again later\n`);
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    response.socket?.setNoDelay(true);
    const viewer: Viewer = { response, blocked: false };
    this.#viewers.add(viewer);
    response.on('close', () => {
      this.#viewers.delete(viewer);
      if (this.#viewers.size === 0 && this.#historySize === 0) this.#stopTicking();
    });
    response.on('drain', () => void (viewer.blocked = false));
    this.#send(viewer, 'hello', { intervalMs: this.#intervalMs, pools: this.#pools() }, true);
    for (let i = 0; i < this.#history.length; i++) this.#write(viewer, this.#history[(this.#historyAt + i) % this.#history.length]!, true);
    if (this.#timer === undefined) {
      for (const feed of this.#feeds.values()) feed.point(); // a fresh baseline: rates since now, not since the last viewer
      this.#schedule();
    }
  }

  /** Ends every stream (with an `end` event, so pages stop reconnecting), stops the timer and the feeds. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTicking();
    this.#history.length = 0;
    this.#unwatch();
    for (const feed of this.#feeds.values()) feed.stop();
    this.#feeds.clear();
    for (const viewer of this.#viewers) {
      this.#send(viewer, 'end', {}, true);
      viewer.response.end();
    }
    this.#viewers.clear();
  }

  #pools(): PoolInfo[] {
    return [...this.#feeds.values()].map((f) => ({ name: f.name, config: f.config(), events: f.events() }));
  }

  #schedule(): void {
    this.#timer = backgroundTimer(systemClock, () => this.#tick(), this.#intervalMs);
  }

  #stopTicking(): void {
    if (this.#timer !== undefined) systemClock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#closed || (this.#viewers.size === 0 && this.#historySize === 0)) return;
    const points = [...this.#feeds.values()].map((f) => f.point());
    const text = frame('tick', { t: this.#now(), points });
    if (this.#historySize > 0) this.#remember(text);
    for (const viewer of this.#viewers) this.#write(viewer, text, false);
    if (this.#endWhenClosed && points.length > 0 && points.every((p) => p.closed)) {
      this.close();
      return;
    }
    this.#schedule();
  }

  #remember(text: string): void {
    if (this.#history.length < this.#historySize) {
      this.#history.push(text);
      return;
    }
    this.#history[this.#historyAt] = text;
    this.#historyAt = (this.#historyAt + 1) % this.#historySize;
  }

  #event(event: FeedEvent): void {
    this.#broadcast('pool-event', event);
  }

  #broadcast(name: string, data: unknown): void {
    if (this.#viewers.size === 0) return;
    const text = frame(name, data);
    for (const viewer of this.#viewers) this.#write(viewer, text, false);
  }

  #send(viewer: Viewer, name: string, data: unknown, always: boolean): void {
    this.#write(viewer, frame(name, data), always);
  }

  #write(viewer: Viewer, text: string, always: boolean): void {
    if (viewer.blocked && !always) return;
    if (!viewer.response.write(text)) viewer.blocked = true;
  }
}

function frame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
