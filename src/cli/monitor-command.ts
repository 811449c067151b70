import { systemClock, type TimerHandle } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { backgroundTimer } from '../core/timeouts.js';
import { redactUrl } from '../engine/redact.js';
import { DatabaseManager, type DatabaseSpec } from '../manager/manager.js';
import { serveDashboard } from '../monitor/dashboard/serve.js';
import { positiveNumber, wholeNumber } from './args.js';
import type { CleanupRegistry } from './cleanup.js';
import type { Io } from './io.js';

export const monitorFlags = {
  url: { type: 'string', multiple: true },
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  interval: { type: 'string' },
  probe: { type: 'string' },
  size: { type: 'string' },
} as const;

export const monitorHelp = `Usage: havuz monitor --url URL [--url URL ...] [options]

Watches databases live in the browser: opens a small pool per database (a manager of them; SQL,
Redis and MongoDB URLs), checks each one every few seconds, and serves the dashboard: connections
by state, waiters, wait times, timeouts and failed connects per second, the settings and the
recent events. Runs until Ctrl-C.

  --url [NAME=]URL    a database; repeat for several (NAME defaults to db1, db2, ...)
  --host HOST         address to listen on (default 127.0.0.1: this machine only)
  --port N            port to listen on (default 0: any free port, printed)
  --token TOKEN       require this bearer token (the printed URL carries it as ?token=)
  --interval SECONDS  how often the page updates (default 1)
  --probe SECONDS     how often each database is checked (default 2)
  --size N            connections per database (default 2)

To watch the pools of your own application instead, mount the dashboard in it (README: Dashboard).

Exit codes: 2 bad input (flags, URL, a port taken), 130 stopped by Ctrl-C.`;

export interface MonitorFlags {
  url?: string[];
  host?: string;
  port?: string;
  token?: string;
  interval?: string;
  probe?: string;
  size?: string;
}

/** `NAME=URL` or a bare URL: a name, and the URL. */
export function namedUrls(urls: readonly string[]): [string, string][] {
  const seen = new Set<string>();
  return urls.map((spec, i) => {
    const m = /^([A-Za-z_][\w-]*)=(.+)$/.exec(spec);
    const [name, url] = m ? [m[1]!, m[2]!] : [`db${i + 1}`, spec];
    if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) throw new UsageError(`--url ${redactUrl(spec)}: expected [NAME=]URL, like users=postgresql://host/db`);
    if (seen.has(name)) throw new UsageError(`--url: the name ${name} is given twice`);
    seen.add(name);
    return [name, url];
  });
}

export async function monitorCommand(flags: MonitorFlags, io: Io, _registry: CleanupRegistry, signal: AbortSignal): Promise<number> {
  if (flags.url === undefined || flags.url.length === 0) throw new UsageError('havuz monitor needs at least one --url (see havuz monitor --help)');
  const urls = namedUrls(flags.url);
  const port = wholeNumber('port', flags.port, 0, 0);
  if (port > 65_535) throw new UsageError(`--port must be at most 65535 (got "${flags.port}")`);
  const intervalMs = Math.round(positiveNumber('interval', flags.interval, 1) * 1000);
  if (intervalMs < 50 || intervalMs > 60_000) throw new UsageError(`--interval must be from 0.05 to 60 seconds (got "${flags.interval}")`);
  const probeMs = Math.round(positiveNumber('probe', flags.probe, 2) * 1000);
  const size = wholeNumber('size', flags.size, 2);
  if (flags.token !== undefined && flags.token === '') throw new UsageError('--token must not be empty');

  let manager: DatabaseManager;
  try {
    const sql = (url: string) => !/^(redis|rediss|mongodb|mongodb\+srv):/i.test(url);
    const specs: Record<string, DatabaseSpec> = {};
    for (const [name, url] of urls) specs[name] = sql(url) ? { url, options: { name, size, acquireTimeoutMs: 5_000, createTimeoutMs: 5_000 } } : url;
    manager = new DatabaseManager(specs);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  try {
    let served;
    try {
      served = await serveDashboard(manager.metrics, { host: flags.host, port, token: flags.token, intervalMs, endWhenClosed: false, history: 600, title: 'havuz monitor' });
    } catch (error) {
      throw new UsageError(`cannot listen on ${flags.host ?? '127.0.0.1'}:${port}: ${(error as Error).message}`);
    }
    served.server.ref(); // the command's own work: keep running until Ctrl-C
    io.stderr.write(`havuz monitor: watching ${urls.map(([name, url]) => `${name} (${redactUrl(url)})`).join(', ')}\n`);
    io.stdout.write(`${served.url}\n`);
    // Each database checked every probeMs (a checkout and SELECT 1, a PING): failed connects and recoveries show.
    let timer: TimerHandle | undefined;
    const probe = (): void => {
      void manager.health({ timeoutMs: Math.min(probeMs, 5_000) }).catch(() => undefined);
      timer = backgroundTimer(systemClock, probe, probeMs);
    };
    probe();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (timer !== undefined) systemClock.clearTimeout(timer);
    await served.close();
    return 0;
  } finally {
    await manager.close({ timeoutMs: 2_000 }).catch(() => undefined);
  }
}
