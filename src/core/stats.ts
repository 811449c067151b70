/** Cumulative counts since the pool was created. */
export interface PoolCounters {
  created: number;
  destroyed: number;
  acquired: number;
  released: number;
  timeouts: number;
  aborted: number;
  rejected: number;
  createErrors: number;
  /** Acquires rejected with the connect error because the database could not be reached (failFast). */
  failedFast: number;
  validationFailures: number;
  leaks: number;
}

/** A snapshot of the pool. `size === idle + inUse`; `overflow` is how far size is above the configured size. */
export interface PoolStatus {
  name: string;
  /** Open connections. */
  size: number;
  /** Checked in, ready for reuse. */
  idle: number;
  /** Checked out (including ones being pinged or reset). */
  inUse: number;
  overflow: number;
  /** Acquires waiting for a connection. */
  pending: number;
  /** Connects in flight. */
  connecting: number;
  /** After failures the next connect waits: how long still, in ms (0: it may connect now). */
  backoffMs: number;
  /** size + maxOverflow: the most connections this pool will ever open. */
  max: number;
  closed: boolean;
  counters: PoolCounters;
}

export function newCounters(): PoolCounters {
  return {
    created: 0,
    destroyed: 0,
    acquired: 0,
    released: 0,
    timeouts: 0,
    aborted: 0,
    rejected: 0,
    createErrors: 0,
    failedFast: 0,
    validationFailures: 0,
    leaks: 0,
  };
}

/** One line for error messages and logs. */
export function describeStatus(s: PoolStatus): string {
  return (
    `size ${s.size}/${s.max}, idle ${s.idle}, in use ${s.inUse}, pending ${s.pending}, connecting ${s.connecting}`
  );
}

/**
 * One status for what several pools serve together (a topology engine's hosts, Redis's shared and
 * dedicated connections): sizes and counters add up, `backoffMs` is the soonest any of them may
 * connect again, and it is closed once every pool is.
 */
export function sumStatus(name: string, statuses: readonly PoolStatus[]): PoolStatus {
  const counters = newCounters();
  const out: PoolStatus = { name, size: 0, idle: 0, inUse: 0, overflow: 0, pending: 0, connecting: 0, backoffMs: 0, max: 0, closed: statuses.length > 0, counters };
  for (const [i, s] of statuses.entries()) {
    out.size += s.size;
    out.idle += s.idle;
    out.inUse += s.inUse;
    out.overflow += s.overflow;
    out.pending += s.pending;
    out.connecting += s.connecting;
    out.backoffMs = i === 0 ? s.backoffMs : Math.min(out.backoffMs, s.backoffMs);
    out.max += s.max;
    out.closed &&= s.closed;
    for (const key of Object.keys(counters) as (keyof PoolCounters)[]) counters[key] += s.counters[key];
  }
  return out;
}
