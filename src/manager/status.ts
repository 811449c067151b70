import { newCounters, type PoolCounters, type PoolStatus } from '../core/stats.js';

/**
 * One status for a database served by several pools (Redis: the shared connection and the
 * dedicated ones): sizes and counters add up, closed once every pool is.
 */
export function sumStatus(name: string, statuses: readonly PoolStatus[]): PoolStatus {
  const counters: PoolCounters = newCounters();
  const out: PoolStatus = { name, size: 0, idle: 0, inUse: 0, overflow: 0, pending: 0, connecting: 0, backoffMs: 0, max: 0, closed: statuses.length > 0, counters };
  for (const s of statuses) {
    out.size += s.size;
    out.idle += s.idle;
    out.inUse += s.inUse;
    out.overflow += s.overflow;
    out.pending += s.pending;
    out.connecting += s.connecting;
    out.backoffMs = Math.max(out.backoffMs, s.backoffMs);
    out.max += s.max;
    out.closed &&= s.closed;
    for (const key of Object.keys(counters) as (keyof PoolCounters)[]) counters[key] += s.counters[key];
  }
  return out;
}
