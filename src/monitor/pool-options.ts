import type { PoolStatus } from '../core/stats.js';

/** The sizing and timing options the monitor reports (the seed's `/health/pool` config, OpenTelemetry's idle/max gauges). */
export interface MonitoredPoolOptions {
  size: number;
  maxOverflow: number;
  minIdle: number;
  acquireTimeoutMs: number;
  /** 0 = never recycled. */
  maxLifetimeMs: number;
  /** 0 = never closed for idleness. */
  idleTimeoutMs: number;
}

/**
 * ADAPTER, to be removed with the core redesign: today only the queue pool (and the classes built
 * on it) exposes its resolved `options`; StaticPool does not. Once every pool class has `options`,
 * this becomes `return pool.options`. Until then a pool without them is described from its status:
 * `max` connections, no overflow, no timers.
 */
export function poolOptionsOf(pool: { options?: unknown; status(): PoolStatus }): MonitoredPoolOptions {
  const o = pool.options as Partial<MonitoredPoolOptions> | undefined;
  if (o !== undefined && typeof o.size === 'number') {
    return {
      size: o.size,
      maxOverflow: o.maxOverflow ?? 0,
      minIdle: o.minIdle ?? 0,
      acquireTimeoutMs: o.acquireTimeoutMs ?? 0,
      maxLifetimeMs: o.maxLifetimeMs ?? 0,
      idleTimeoutMs: o.idleTimeoutMs ?? 0,
    };
  }
  const { max } = pool.status();
  return { size: max, maxOverflow: 0, minIdle: 0, acquireTimeoutMs: 0, maxLifetimeMs: 0, idleTimeoutMs: 0 };
}
