import { AcquireAbortedError, CreateFailedError, PoolClosedError } from '../../core/errors.js';
import type { PoolEventMap, PoolEventName } from '../../core/events.js';
import { releaseOwned, useLease, type Lease, type LeaseOwner } from '../../core/lease.js';
import type { ResolvedPoolOptions } from '../../core/options.js';
import { checkAcquireOptions } from '../../core/contract.js';
import type { AcquireOptions, CloseOptions, ConnectionPool } from '../../core/pool.js';
import type { Member } from './member.js';
import type { Route, RouteRequest, Topology, TopologyStatus } from './topology.js';

/**
 * A ConnectionPool over the hosts of a topology: `acquire` picks a host for its route, checks out
 * from that host's own pool and hands the lease on once the connection's server is known to fit
 * the route. An Engine built on it runs every statement as it would on one pool.
 */
export class RoutePool<C> implements ConnectionPool<C> {
  readonly name: string;
  readonly #topology: Topology<C>;
  readonly #route: Route;

  constructor(topology: Topology<C>, route: Route) {
    this.#topology = topology;
    this.#route = route;
    this.name = topology.name;
  }

  /** The first host's resolved options: every host's pool is made from the same ones. */
  get options(): Readonly<ResolvedPoolOptions> {
    return this.#topology.members[0]!.engine.pool.options;
  }

  acquire(options?: AcquireOptions): Promise<Lease<C>> {
    const t = this.#topology;
    if (t.closed) return Promise.reject(new PoolClosedError(this.name));
    let given: AcquireOptions;
    try {
      given = checkAcquireOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#acquire(this.#request(given));
  }

  /** Resolves once a host for this route is found and its pool has minIdle open; rejects like an acquire. */
  async ready(): Promise<void> {
    const member = await this.#topology.choose(this.#route, this.#request({}));
    await member.engine.pool.ready();
  }

  #request(options: AcquireOptions): RouteRequest {
    const t = this.#topology;
    const timeoutMs = options.timeoutMs ?? t.acquireTimeoutMs;
    return { deadline: t.clock.now() + timeoutMs, timeoutMs, signal: options.signal, lastError: undefined };
  }

  async #acquire(request: RouteRequest): Promise<Lease<C>> {
    const t = this.#topology;
    for (;;) {
      const member = await t.choose(this.#route, request);
      const lease = await this.#checkout(member, request);
      if (lease === undefined) continue;
      try {
        if (t.accepts(this.#route, await t.verify(member, lease))) return lease;
        // A sound connection to a server of the wrong role (its host changed role): back it goes.
        lease.release();
      } catch (error) {
        // The check itself failed: the connection is broken, or the server stopped answering.
        request.lastError = error;
        if (!lease.released) lease.invalidate(error);
        await member.probe();
      }
    }
  }

  /** A lease from the host's pool, or undefined when the host failed and another should be tried. */
  async #checkout(member: Member<C>, request: RouteRequest): Promise<Lease<C> | undefined> {
    const t = this.#topology;
    const link = linked(request.signal, member.downSignal);
    try {
      const remaining = request.deadline - t.clock.now();
      return await member.engine.pool.acquire({ signal: link.signal, timeoutMs: remaining === Infinity ? Infinity : Math.max(1, Math.ceil(remaining)) });
    } catch (error) {
      if (request.signal?.aborted) throw new AcquireAbortedError(this.name, request.signal.reason);
      if (t.closed) throw new PoolClosedError(this.name);
      // Only failures that say the host is gone are routed around; a full queue or a timeout is the caller's.
      const hostGone = error instanceof CreateFailedError || (error instanceof AcquireAbortedError && member.downSignal.aborted);
      if (!hostGone) throw error;
      request.lastError = error instanceof AcquireAbortedError ? (member.downSignal.reason ?? error) : error;
      // Wait for the host's check to finish, so a dead host is not tried again in a tight loop.
      await member.probe();
      return undefined;
    } finally {
      link.dispose();
    }
  }

  use<R>(fn: (connection: C, lease: Lease<C>) => Promise<R> | R, options?: AcquireOptions): Promise<R> {
    return useLease(this.acquire(options), fn);
  }

  release(lease: Lease<C>): void {
    releaseOwned(lease, this.name, ...this.#topology.members.map((m) => m.engine.pool as unknown as LeaseOwner<C>));
  }

  /** Every host's pool added up, and each host with its role: a monitor given this pool sees the hosts too. */
  status(): TopologyStatus {
    return this.#topology.status();
  }

  on<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<C>[K]) => void): () => void {
    const offs = this.#topology.members.map((m) => m.engine.on(event, listener as any));
    return () => offs.forEach((off) => off());
  }

  off<K extends PoolEventName>(event: K, listener: (payload: PoolEventMap<C>[K]) => void): void {
    for (const m of this.#topology.members) m.engine.off(event, listener as any);
  }

  dispose(): Promise<void> {
    return Promise.all(this.#topology.members.map((m) => m.engine.dispose())).then(() => undefined);
  }

  invalidateAll(options?: { soft?: boolean }): Promise<void> {
    return Promise.all(this.#topology.members.map((m) => m.engine.pool.invalidateAll(options))).then(() => undefined);
  }

  /** Closes the whole engine: every host's pool and monitor (both routes share them). */
  close(options?: CloseOptions): Promise<void> {
    return this.#topology.close(options);
  }
}

/** The acquire options a pool takes, checked as the core checks them: the deadline is computed before any pool sees them. */
/** One signal that aborts when either does, without AbortSignal.any's long-lived references. */
function linked(user: AbortSignal | undefined, down: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  if (user === undefined || down.aborted) return { signal: down, dispose: () => {} };
  if (user.aborted) return { signal: user, dispose: () => {} };
  const controller = new AbortController();
  const onUser = (): void => controller.abort(user.reason);
  const onDown = (): void => controller.abort(down.reason);
  user.addEventListener('abort', onUser, { once: true });
  down.addEventListener('abort', onDown, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      user.removeEventListener('abort', onUser);
      down.removeEventListener('abort', onDown);
    },
  };
}
