import { inspect } from 'node:util';
import type { PoolEventMap, PoolEventName } from '../../core/events.js';
import type { QueryResult } from '../../drivers/dialect.js';
import type { Connection } from '../connection.js';
import { Engine, type EngineEventMap, type EngineOptions } from '../engine.js';
import { acquireOptionsOf, readOnlyOf, type ConnectOptions, type RouteOptions, type TransactionOptions } from '../routing.js';
import { isTopologyEvent, type TopologyEventMap, type TopologyEventName } from './events.js';
import type { TopologyHost } from './member.js';
import { planTopology, type TopologyOptions } from './options.js';
import { isReadOnlyRefusal } from './roles.js';
import { RoutePool } from './route-pool.js';
import { Topology, type TopologyStatus } from './topology.js';

export type { TopologyStatus } from './topology.js';

export type TopologyEngineOptions = EngineOptions & TopologyOptions;

/** Refused-as-read-only writes are sent again at most this often: the first retry normally lands on the new primary. */
const MAX_REFUSED_RETRIES = 2;

/**
 * The reads' engine: every checkout goes to a replica when a healthy one exists, and every
 * transaction it starts is read-only.
 */
class ReplicaEngine<C> extends Engine<C> {
  /** The topology's URL (password redacted), every host in it. */
  override readonly url: string;

  constructor(url: string, redacted: string, options: EngineOptions, pool: RoutePool<C>) {
    super(url, options, pool);
    this.url = redacted;
  }

  override transaction<R>(fn: (tx: Connection<C>) => Promise<R> | R, options?: TransactionOptions): Promise<R> {
    return super.transaction(fn, { ...options, readOnly: true });
  }

  override replica(): Engine<C> {
    return this;
  }
}

/**
 * One engine over a primary and its replicas (PostgreSQL or MySQL/MariaDB): a pool per host, roles
 * read from the servers and kept current, writes and transactions to the primary, `readOnly` work
 * to a healthy replica. `createEngine` returns one for a URL with several hosts or a
 * `target_session_attrs`.
 */
export class TopologyEngine<C = unknown> extends Engine<C> {
  /** The URL with its password redacted, every host in it. */
  override readonly url: string;
  readonly #topology: Topology<C>;
  readonly #replica: ReplicaEngine<C>;

  constructor(url: string, options: TopologyEngineOptions = {}) {
    const plan = planTopology(url, options);
    const topology = new Topology<C>(plan);
    // The hosts' engines already accepted these very options, so this cannot throw and strand them.
    super(plan.url.hostUrl(0), plan.engine, new RoutePool(topology, 'default'));
    this.url = plan.url.redacted;
    this.#topology = topology;
    // Pool events reach both routes' pools from the same hosts: only this engine echoes them.
    this.#replica = new ReplicaEngine<C>(plan.url.hostUrl(0), plan.url.redacted, { ...plan.engine, echoPool: false }, new RoutePool(topology, 'read'));
  }

  /** Every host, in URL order, with its role and its own engine (for per-host collectors). */
  get hosts(): readonly TopologyHost<C>[] {
    return this.#topology.members;
  }

  override query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: RouteOptions): Promise<QueryResult<R>> {
    let readOnly: boolean;
    try {
      readOnly = readOnlyOf(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return readOnly ? this.#replica.query<R>(sql, params) : this.#write<R>(sql, params);
  }

  /**
   * A write a server refused as read-only did not run, so it is safe to send again once the hosts
   * were asked: the primary was demoted under an open connection.
   */
  async #write<R>(sql: string, params: readonly unknown[] | undefined): Promise<QueryResult<R>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await super.query<R>(sql, params);
      } catch (error) {
        const t = this.#topology;
        if (!isReadOnlyRefusal(error) || !t.writes || attempt >= MAX_REFUSED_RETRIES || t.closed) throw error;
        await t.refused();
      }
    }
  }

  override async connect(options?: ConnectOptions): Promise<Connection<C>> {
    return readOnlyOf(options) ? this.#replica.connect(acquireOptionsOf(options)) : super.connect(options);
  }

  override async transaction<R>(fn: (tx: Connection<C>) => Promise<R> | R, options?: TransactionOptions): Promise<R> {
    if (readOnlyOf(options)) return this.#replica.transaction(fn, acquireOptionsOf(options));
    try {
      return await super.transaction(fn, options);
    } catch (error) {
      // Not sent again: `fn` may have done more than one statement's worth. The hosts are asked anew.
      if (isReadOnlyRefusal(error)) void this.#topology.refused();
      throw error;
    }
  }

  /** The engine for reads: a healthy replica, else the primary; its transactions are read-only. */
  override replica(): Engine<C> {
    return this.#replica;
  }

  override status(): TopologyStatus {
    return this.#topology.status();
  }

  /** A pool event (from every host's pool), `query` (statements on either route) or `role-change`. */
  override on<K extends PoolEventName | 'query' | TopologyEventName>(
    event: K,
    listener: (payload: K extends TopologyEventName ? TopologyEventMap[K] : EngineEventMap<C>[K & (PoolEventName | 'query')]) => void,
  ): () => void {
    if (isTopologyEvent(event)) return this.#topology.events.on(listener as any);
    if (event !== 'query') return super.on(event as PoolEventName, listener as any);
    const offs = [super.on('query', listener as any), this.#replica.on('query', listener as any)];
    return () => offs.forEach((off) => off());
  }

  override off<K extends PoolEventName | TopologyEventName>(
    event: K,
    listener: (payload: K extends TopologyEventName ? TopologyEventMap[K] : PoolEventMap<C>[K & PoolEventName]) => void,
  ): void {
    if (isTopologyEvent(event)) this.#topology.events.off(listener as any);
    else super.off(event as PoolEventName, listener as any);
  }

  override [inspect.custom](): string {
    const s = this.status();
    const hosts = s.hosts.map((h) => `${h.host} ${h.role}${h.lagMs === undefined || h.role !== 'replica' ? '' : ` lag ${Math.round(h.lagMs)} ms`}`);
    return `TopologyEngine <${this.url}> (${hosts.join(', ')})`;
  }

  override toJSON(): object {
    return { dialect: this.dialect, url: this.url, status: this.status() };
  }
}
