import { systemClock } from '../core/clock.js';
import { HealthTimeoutError } from '../core/errors.js';
import type { PoolStatus } from '../core/stats.js';
import { within } from '../core/timeouts.js';
import { shownError, shownMessage } from '../engine/redact.js';
import { PoolCollector } from './collector.js';
import { DEFAULT_RECENT_MS, gradePool, statusOf, worst, type GradeOptions, type HealthReason, type HealthStatus } from './grade.js';
import type { Recent } from './recent.js';
import type { MetricsRegistry } from './registry.js';
import { sourceOf, type MonitoredEngine, type MonitoredPool, type MonitorTarget } from './source.js';

export interface HealthReport {
  name: string;
  /** The engine's URL with its password redacted; absent for a bare pool. */
  url?: string;
  status: HealthStatus;
  /** Empty when healthy. */
  reasons: HealthReason[];
  /** Round trip of the probe (checkout plus `SELECT 1`, or the pool's own probe); absent when no probe ran. */
  latencyMs?: number;
  pool: PoolStatus;
  /** Timeouts and failed connects in the recent window; absent without a collector to remember them. */
  recent?: Recent;
  /** The probe's error, without any password. */
  error?: { code: string | undefined; message: string };
}

export interface HealthOptions extends GradeOptions {
  /** The probe fails after this long, whether waiting for a connection or for the answer. Default 2 s. */
  timeoutMs?: number;
  /** Run `SELECT 1` on an engine's pool, or a pool's own `probe()` (default true). Skipped anyway while acquires are queued or nothing is free: it would wait in line. */
  probe?: boolean;
}

/**
 * Grades one pool or engine: healthy, degraded or unhealthy, with the reasons. An engine is also
 * probed end to end (a checkout and `SELECT 1`, bounded by `timeoutMs`) unless the pool is busy.
 * Pass the pool's collector (from a MetricsRegistry) to count recent timeouts and failed
 * connects. Never throws; no message in it holds a password.
 */
export async function checkHealth(target: MonitorTarget | PoolCollector, options: HealthOptions = {}): Promise<HealthReport> {
  const { pool, engine, collector } = partsOf(target);
  const recent = collector?.recent(options.recentMs ?? DEFAULT_RECENT_MS);
  const before = pool.status();
  const free = before.pending === 0 && (before.idle > 0 || before.size + before.connecting < before.max);
  let probe: { latencyMs: number; error?: unknown } | undefined;
  const check = engine !== undefined ? () => engineCheck(engine, options.timeoutMs ?? 2_000) : pool.probe === undefined ? undefined : () => pool.probe!();
  if (check !== undefined && options.probe !== false && !before.closed && free) probe = await probeWithin(check, options.timeoutMs ?? 2_000);
  const status = pool.status();
  const graded = gradePool(status, recent, options);
  const reasons = graded.reasons.filter((r) => probe === undefined || r.code !== 'unreachable');
  if (probe?.error !== undefined) reasons.push({ code: 'unreachable', message: `the probe failed: ${shownMessage(probe.error)}` });
  return {
    name: pool.name,
    ...(engine === undefined ? {} : { url: engine.url }),
    status: statusOf(reasons),
    reasons,
    ...(probe === undefined ? {} : { latencyMs: probe.latencyMs }),
    pool: status,
    ...(recent === undefined ? {} : { recent }),
    ...(probe?.error === undefined ? {} : { error: shownError(probe.error) }),
  };
}

export interface OverallHealth {
  /** The worst of the databases'. */
  status: HealthStatus;
  databases: HealthReport[];
}

/** Every pool of a registry, checked at once; the overall status is the worst one, and each report names its pool. */
export async function checkAllHealth(registry: MetricsRegistry, options: HealthOptions = {}): Promise<OverallHealth> {
  const databases = await Promise.all(registry.collectors().map((c) => checkHealth(c, options)));
  return { status: worst(databases.map((d) => d.status)), databases };
}

/** The seed application's `/health/pool` answer (SQLAlchemy's QueuePool numbers), snake_case as it was. */
export interface PoolHealth {
  status: HealthStatus;
  /** The configured pool size (SQLAlchemy `pool.size()`). */
  size: number;
  checked_out: number;
  /** Open connections minus the configured size: negative while fewer are open (SQLAlchemy `pool.overflow()`). */
  overflow: number;
  checked_in: number;
  config: {
    pool_size: number;
    max_overflow: number;
    /** Acquire timeout in seconds. */
    timeout: number;
    /** Max lifetime in seconds; -1 = never (SQLAlchemy's `pool_recycle`). */
    recycle: number;
  };
}

/** `/health/pool` for one pool or engine, from its status alone: no database round trip, never waits. */
export function poolHealth(target: MonitorTarget | PoolCollector, options: GradeOptions = {}): PoolHealth {
  const { pool, collector } = partsOf(target);
  const status = pool.status();
  const o = pool.options;
  return {
    status: gradePool(status, collector?.recent(options.recentMs ?? DEFAULT_RECENT_MS), options).status,
    size: o.size,
    checked_out: status.inUse,
    overflow: status.size - o.size,
    checked_in: status.idle,
    config: {
      pool_size: o.size,
      max_overflow: o.maxOverflow,
      timeout: o.acquireTimeoutMs / 1000,
      recycle: o.maxLifetimeMs === 0 ? -1 : o.maxLifetimeMs / 1000,
    },
  };
}

function partsOf(target: MonitorTarget | PoolCollector): { pool: MonitoredPool; engine: MonitoredEngine | undefined; collector: PoolCollector | undefined } {
  if (target instanceof PoolCollector) return { pool: target.pool, engine: target.engine, collector: target };
  return { ...sourceOf(target), collector: undefined };
}

async function engineCheck(engine: MonitoredEngine, timeoutMs: number): Promise<void> {
  await using connection = await engine.connect({ timeoutMs });
  await connection.query('SELECT 1');
}

async function probeWithin(run: () => Promise<unknown>, timeoutMs: number): Promise<{ latencyMs: number; error?: unknown }> {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const check = run();
    check.catch(() => undefined); // settled later than the deadline: already reported
    await within(check, timeoutMs, systemClock, () => new HealthTimeoutError(timeoutMs));
    return { latencyMs: latency() };
  } catch (error) {
    return { latencyMs: latency(), error };
  }
}

