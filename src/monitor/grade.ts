import type { PoolStatus } from '../core/stats.js';
import type { Recent } from './recent.js';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/**
 * Why a pool is not healthy. degraded: saturated (every connection it may open is checked out),
 * waiters (acquires are queued), timeouts (acquires timed out recently), create-failures (connects
 * failed recently). unhealthy: unreachable (the probe failed, or nothing is open and connects fail),
 * closed.
 */
export type HealthReasonCode = 'saturated' | 'waiters' | 'timeouts' | 'create-failures' | 'unreachable' | 'closed';

export interface HealthReason {
  code: HealthReasonCode;
  message: string;
}

export interface GradeOptions {
  /** More waiting acquires than this is degraded. Default 0: any queue. */
  maxWaiters?: number;
  /** The window for "recent" timeouts and failed connects. Default 60 s. */
  recentMs?: number;
}

export const DEFAULT_RECENT_MS = 60_000;

const rank: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export function worst(statuses: Iterable<HealthStatus>): HealthStatus {
  let out: HealthStatus = 'healthy';
  for (const s of statuses) if (rank[s] > rank[out]) out = s;
  return out;
}

/** The verdict from what the pool knows, without touching the database. */
export function gradePool(status: PoolStatus, recent: Recent | undefined, options: GradeOptions = {}): { status: HealthStatus; reasons: HealthReason[] } {
  const reasons: HealthReason[] = [];
  const windowS = (options.recentMs ?? DEFAULT_RECENT_MS) / 1000;
  if (status.closed) reasons.push({ code: 'closed', message: 'the pool is closed' });
  if (status.max > 0 && status.inUse >= status.max) reasons.push({ code: 'saturated', message: `all ${status.max} connections are checked out` });
  if (status.pending > (options.maxWaiters ?? 0)) reasons.push({ code: 'waiters', message: `${status.pending} acquires are waiting for a connection` });
  if (recent !== undefined && recent.timeouts > 0) reasons.push({ code: 'timeouts', message: `${recent.timeouts} acquires timed out in the last ${windowS} s` });
  if (recent !== undefined && recent.createErrors > 0) {
    const last = recent.lastConnectError === undefined ? '' : `; the last: ${recent.lastConnectError.message}`;
    reasons.push({ code: 'create-failures', message: `${recent.createErrors} connects failed in the last ${windowS} s${last}` });
    if (status.size === 0) {
      reasons.push({ code: 'unreachable', message: 'no connection is open and connects fail' });
    }
  }
  return { status: statusOf(reasons), reasons };
}

export function statusOf(reasons: readonly HealthReason[]): HealthStatus {
  if (reasons.some((r) => r.code === 'unreachable' || r.code === 'closed')) return 'unhealthy';
  return reasons.length > 0 ? 'degraded' : 'healthy';
}
