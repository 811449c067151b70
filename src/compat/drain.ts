import type { ConnectionPool, PoolEventName } from '../core/index.js';

/**
 * ADAPTER, until the pool core has `close({ drain: true })`: resolves once no acquire is waiting
 * and no connection is checked out, so a facade's `end()` lets queued work run first (pg-pool's
 * "issue queries, then end()"). The facade refuses new work meanwhile. Replace the call with
 * `pool.close({ drain: true })` when the core offers it.
 *
 * Checked after every return, reset and close, a tick later: a connection counts as in use until
 * its return (and reset) has finished, which the events announce just before.
 */
export function drained(pool: ConnectionPool<unknown>): Promise<void> {
  const quiet = (): boolean => {
    const { pending, inUse } = pool.status();
    return pending === 0 && inUse === 0;
  };
  if (quiet()) return Promise.resolve();
  return new Promise((resolve) => {
    let scheduled = false;
    const events: PoolEventName[] = ['checkin', 'reset', 'close', 'connection-error'];
    const check = (): void => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (!quiet()) return;
        for (const off of offs) off();
        resolve();
      });
    };
    const offs = events.map((event) => pool.on(event, check));
  });
}
