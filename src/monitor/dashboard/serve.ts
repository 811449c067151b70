import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from '../registry.js';
import type { MonitorTarget } from '../source.js';
import { dashboardHandler, type Dashboard, type DashboardOptions } from './handler.js';

export interface ServeDashboardOptions extends DashboardOptions {
  /** Default 127.0.0.1: only this machine sees the pools unless you say otherwise. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface ServedDashboard {
  /** Where to point a browser (with `?token=` when a token is set, for the page to pass on). */
  readonly url: string;
  readonly dashboard: Dashboard;
  readonly server: Server;
  /** Ends the streams and closes the server. */
  close(): Promise<void>;
}

/**
 * The dashboard on a server of its own (`havuz monitor`, `havuz bench --live`). The server is
 * unref'd: it never keeps the process alive by itself; whoever started it decides how long it lives.
 */
export async function serveDashboard(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: ServeDashboardOptions = {}): Promise<ServedDashboard> {
  const handler = dashboardHandler(target, { prefix: '', ...options });
  const server = createServer(handler);
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    handler.close();
    throw error;
  }
  server.unref();
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}${handler.dashboard.prefix}/${options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}`}`;
  return {
    url,
    dashboard: handler.dashboard,
    server,
    close: async () => {
      handler.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
