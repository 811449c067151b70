import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { AcquireAbortedError, AcquireTimeoutError, HealthTimeoutError, PoolClosedError, messageOf } from '../../core/errors.js';
import type { Lease } from '../../core/lease.js';
import { log, type Logger } from '../../core/log.js';
import { sumStatus, type PoolStatus } from '../../core/stats.js';
import { backgroundTimer, MAX_TIMER_MS, within } from '../../core/timeouts.js';
import type { SqlDialect } from '../../drivers/dialect.js';
import { dialectFor } from '../../drivers/index.js';
import { redactUrl } from '../redact.js';
import { parseDatabaseUrl } from '../url.js';
import { TopologyEvents } from './events.js';
import { Member, type HostRole, type HostStatus } from './member.js';
import type { ResolvedTopologyOptions, TargetSessionAttrs, TopologyPlan } from './options.js';
import { probeFacts, roleOf, type HostFacts } from './roles.js';

/**
 * A topology engine's status (what `engine.status()` and its pool's `status()` give, so a monitor
 * shows it as it is): every host's pool added up, and each host on its own.
 */
export interface TopologyStatus extends PoolStatus {
  targetSessionAttrs: TargetSessionAttrs;
  /** The host writes go to now (`host:port`), if one is known. */
  primary: string | undefined;
  hosts: HostStatus[];
}

/** `default`: statements not marked readOnly, and transactions. `read`: `readOnly: true`. */
export type Route = 'default' | 'read';

/**
 * While a request waits for a host to route to, every host is asked again this often: a promoted
 * replica is found within about this long (libpq would find it on its next connect).
 */
const DISCOVERY_INTERVAL_MS = 100;

/** One acquire's wait for a host: its deadline, and the last failure to name if it runs out. */
export interface RouteRequest {
  deadline: number;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  lastError: unknown;
}

interface Verified<C> {
  member: Member<C>;
  generation: number;
  facts: HostFacts;
}

/** Whether a server with these facts may serve a session with these attributes (libpq's rules). */
function matches(attrs: TargetSessionAttrs, facts: HostFacts): boolean {
  switch (attrs) {
    case 'read-write':
      return !facts.readOnly;
    case 'primary':
      return !facts.inRecovery;
    case 'read-only':
      return facts.readOnly;
    case 'standby':
      return facts.inRecovery;
    case 'prefer-standby':
    case 'any':
      return true;
  }
}

/**
 * The hosts of one topology engine and what is known of them: which may serve a route now,
 * waiting (bounded) for one to appear, and checking every connection's server before use.
 */
export class Topology<C> {
  readonly name: string;
  readonly members: readonly Member<C>[];
  readonly options: ResolvedTopologyOptions;
  readonly acquireTimeoutMs: number;
  readonly clock: Clock;
  readonly events: TopologyEvents;
  readonly #dialect: SqlDialect<C>;
  readonly #random: () => number;
  readonly #logger: Logger | undefined;
  readonly #verified = new WeakMap<object, Verified<C>>();
  #changed!: Promise<void>;
  #notify!: () => void;
  #waiting = 0;
  #discovery: TimerHandle | undefined;
  #recheck: TimerHandle | undefined;
  #started = false;
  #closing: Promise<void> | undefined;

  constructor(plan: TopologyPlan) {
    const { url, topology, engine } = plan;
    this.options = topology;
    this.clock = engine.clock ?? systemClock;
    this.#random = engine.random ?? Math.random;
    this.#logger = engine.logger;
    const first = parseDatabaseUrl(url.hostUrl(0), new Set(['name']));
    const database = first.config.database;
    this.name = engine.name ?? first.options.name ?? (database === undefined ? url.dialect : `${url.dialect}:${database}`);
    this.#dialect = dialectFor(url.dialect) as SqlDialect<C>;
    this.events = new TopologyEvents((error) => log(this.#logger, 'warn', { pool: this.name, error }, 'role-change listener threw'));
    this.#renew();
    const members: Member<C>[] = [];
    try {
      for (const [i, address] of url.hosts.entries()) {
        members.push(
          new Member<C>(address, url.hostUrl(i), { ...engine, name: this.name }, {
            dialect: url.dialect,
            clock: this.clock,
            checkTimeoutMs: topology.hostCheckTimeoutMs,
            isLost: (error) => this.#dialect.isConnectionLost(error),
            onChange: (member, previous) => this.#onChange(member, previous),
          }),
        );
      }
    } catch (error) {
      for (const member of members) void member.close();
      throw error;
    }
    this.members = members;
    // The whole engine waits as long as one of its pools would: the hosts' own resolved setting.
    this.acquireTimeoutMs = members[0]!.engine.pool.options.acquireTimeoutMs;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * A host for the route, waiting until `deadline` for one to be found (a promotion, a host coming
   * back). While anyone waits, every host is asked again each DISCOVERY_INTERVAL_MS.
   */
  async choose(route: Route, request: RouteRequest): Promise<Member<C>> {
    this.#start();
    const { deadline, signal } = request;
    for (;;) {
      if (this.closed) throw new PoolClosedError(this.name);
      if (signal?.aborted) throw new AcquireAbortedError(this.name, signal.reason);
      const member = this.#pick(route);
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) throw this.#timeout(route, request);
      if (member !== undefined) return member;
      this.#waiting++;
      this.#discover();
      try {
        await this.#nextChange(remaining, signal);
      } finally {
        this.#waiting--;
      }
    }
  }

  /** True when a connection to a server with these facts may serve the route. */
  accepts(route: Route, facts: HostFacts): boolean {
    const attrs = this.options.targetSessionAttrs;
    // Reads may go anywhere on an engine made for writing; a read-only engine keeps its promise.
    if (route === 'read' && (attrs === 'read-write' || attrs === 'primary')) return true;
    return matches(attrs, facts);
  }

  /**
   * The server's role, read on this very connection before its first use and again after the
   * host's role changed: a DNS name may lead to another server than the monitor's connection.
   */
  async verify(member: Member<C>, lease: Lease<C>): Promise<HostFacts> {
    const raw = lease.connection;
    const seen = this.#verified.get(raw as object);
    if (seen !== undefined && seen.member === member && seen.generation === member.generation) return seen.facts;
    const ms = this.options.hostCheckTimeoutMs;
    const work = probeFacts(this.#dialect.name, (sql) => this.#dialect.query(raw, sql), false);
    work.catch(() => undefined);
    const facts = await within(work, ms, this.clock, () => new HealthTimeoutError(ms));
    this.#verified.set(raw as object, { member, generation: member.record(facts), facts });
    return facts;
  }

  /** True when the default route is for writing, so a write the server refused may be sent again once a primary is found. */
  get writes(): boolean {
    const attrs = this.options.targetSessionAttrs;
    return attrs === 'read-write' || attrs === 'primary';
  }

  /** A server refused a write as read-only: ask the hosts believed writable again, and wait for the answers. */
  async refused(): Promise<void> {
    await Promise.all(this.members.filter((m) => m.role === 'primary').map((m) => m.probe()));
  }

  /** Every host's pool added up under the engine's name, and each host on its own. */
  status(): TopologyStatus {
    const hosts = this.members.map((m) => m.status());
    return { ...this.aggregate(), targetSessionAttrs: this.options.targetSessionAttrs, primary: hosts.find((h) => h.role === 'primary')?.host, hosts };
  }

  /** Every host's pool, added up under the engine's name. */
  aggregate(): PoolStatus {
    return { ...sumStatus(this.name, this.members.map((m) => m.engine.status())), closed: this.closed };
  }

  close(options?: { timeoutMs?: number }): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.#discovery !== undefined) this.clock.clearTimeout(this.#discovery);
    if (this.#recheck !== undefined) this.clock.clearTimeout(this.#recheck);
    this.#closing = Promise.all(this.members.map((m) => m.close(options))).then(() => undefined);
    this.#wake(); // waiters see `closed` and reject
    return this.#closing;
  }

  /**
   * The first eligible host in URL order, or a random one. A host not yet checked might be the one
   * to choose: while one precedes the choice in URL order (or any, for random), wait for it.
   */
  #pick(route: Route): Member<C> | undefined {
    const { hosts, fallback } = this.#eligible(route);
    const first = hosts[0];
    if (first === undefined) return undefined;
    // A host not yet checked might be the better choice: one earlier in URL order, or, when only
    // a fallback was found (no replica, no standby) or the choice is random, any of them.
    const random = this.options.loadBalanceHosts === 'random';
    const until = random || fallback ? this.members.length : this.members.indexOf(first);
    if (this.members.slice(0, until).some((m) => m.role === 'unknown')) return undefined;
    return random ? hosts[Math.floor(this.#random() * hosts.length)] : first;
  }

  /** The hosts that may serve the route now, in URL order; `fallback` when they are only the second choice. */
  #eligible(route: Route): { hosts: Member<C>[]; fallback: boolean } {
    const up = this.members.filter((m) => m.facts !== undefined);
    let fallback = false;
    if (route === 'read') {
      const max = this.options.maxReplicaLagMs;
      const replicas = up.filter((m) => {
        const facts = m.facts!;
        return roleOf(facts) === 'replica' && (max === undefined || (facts.lagMs !== undefined && facts.lagMs <= max));
      });
      if (replicas.length > 0) return { hosts: replicas, fallback };
      // No healthy replica: the default route's hosts serve reads too.
      fallback = true;
    }
    const attrs = this.options.targetSessionAttrs;
    if (attrs === 'prefer-standby') {
      const standbys = up.filter((m) => m.facts!.inRecovery);
      return standbys.length > 0 ? { hosts: standbys, fallback } : { hosts: up, fallback: true };
    }
    return { hosts: up.filter((m) => matches(attrs, m.facts!)), fallback };
  }

  #start(): void {
    if (this.#started || this.closed) return;
    this.#started = true;
    const recheck = (): void => {
      if (this.closed) return;
      for (const member of this.members) void member.probe();
      this.#recheck = backgroundTimer(this.clock, recheck, this.options.hostRecheckMs);
    };
    recheck();
  }

  #discover(): void {
    if (this.#discovery !== undefined || this.closed) return;
    const round = (): void => {
      this.#discovery = undefined;
      if (this.closed || this.#waiting === 0) return;
      for (const member of this.members) void member.probe();
      this.#discovery = backgroundTimer(this.clock, round, DISCOVERY_INTERVAL_MS);
    };
    round();
  }

  /** Resolves on the next change of any host, or after `ms`, or when `signal` aborts. */
  #nextChange(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      // Ref'd: a request waiting for a primary is work the caller waits for. Capped: Node fires a
      // longer timer (an Infinity timeout) at once; choose() simply waits again.
      const timer = this.clock.setTimeout(done, Math.min(ms, MAX_TIMER_MS));
      const changed = this.#changed;
      function done(): void {
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
      void changed.then(() => {
        this.clock.clearTimeout(timer);
        done();
      });
    });
  }

  #onChange(member: Member<C>, previous: HostRole): void {
    const role = member.role;
    log(this.#logger, role === 'down' ? 'warn' : 'info', { pool: this.name, host: member.address.label, previous, role }, `host ${member.address.label} is ${role === 'down' ? 'down' : `now ${role}`}`);
    this.events.emit({ pool: this.name, host: member.address.label, previous, role });
    this.#wake();
  }

  #wake(): void {
    const notify = this.#notify;
    this.#renew();
    notify();
  }

  #renew(): void {
    this.#changed = new Promise((resolve) => (this.#notify = resolve));
  }

  #timeout(route: Route, request: RouteRequest): AcquireTimeoutError {
    const wanted = route === 'read' ? 'replica or primary' : `host for target_session_attrs=${this.options.targetSessionAttrs}`;
    const hosts = this.members.map((m) => `${m.address.label} ${m.role === 'unknown' ? 'not yet checked' : m.role}`).join(', ');
    const last = request.lastError ?? this.members.map((m) => m.status().error?.message).find((e) => e !== undefined);
    return new AcquireTimeoutError(
      `No ${wanted} in pool "${this.name}" within ${request.timeoutMs} ms (hosts: ${hosts})` +
        (last === undefined ? '' : `; last error: ${redactUrl(messageOf(last))}`),
      this.aggregate(),
      request.lastError,
    );
  }
}

