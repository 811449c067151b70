import { log, type Logger, type LogLevel } from '../core/log.js';
import type { PoolEventName } from '../core/events.js';
import { poolEventFields } from '../engine/echo.js';
import { sourceOf, type MonitorTarget } from './source.js';

export interface PoolMonitorOptions {
  /** Default info. */
  level?: LogLevel;
  /** Default connect, checkout and checkin (the seed's PoolMonitor); any pool events. */
  events?: readonly PoolEventName[];
}

/**
 * The seed application's PoolMonitor: logs each connect, checkout and checkin with the pool's
 * status beside it (size, checked out, idle, overflow, waiting), so a log shows the pool filling
 * up. It listens until `stop()`. Lines carry no connection object, URL or password.
 */
export class PoolMonitor {
  readonly #offs: (() => void)[];

  constructor(target: MonitorTarget, logger: Logger, options: PoolMonitorOptions = {}) {
    const { pool } = sourceOf(target);
    const level = options.level ?? 'info';
    this.#offs = (options.events ?? ['connect', 'checkout', 'checkin']).map((event) =>
      pool.on(event, (payload: any) => {
        const s = pool.status();
        const status = { size: s.size, checked_out: s.inUse, checked_in: s.idle, overflow: s.overflow, pending: s.pending, max: s.max };
        log(logger, level, { ...poolEventFields(event, payload), status }, `havuz: pool ${event}`);
      }),
    );
  }

  stop(): void {
    for (const off of this.#offs) off();
    this.#offs.length = 0;
  }
}
