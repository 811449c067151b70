import type { ConnectionConfig } from '../dialect.js';
import { KEEPALIVE_INITIAL_DELAY_MS } from '../socket.js';

/**
 * pg's config for one client. Everything goes through a connection string so pg applies its own
 * meaning to every URL parameter (sslmode, sslrootcert, application_name, options,
 * statement_timeout, ...) exactly as it does for its users, instead of havuz re-implementing it.
 * The string lives only in this object, which pg does not keep.
 */
export function pgClientConfig(config: ConnectionConfig): Record<string, unknown> {
  const user = config.user === undefined ? '' : encodeURIComponent(config.user);
  const password = config.password === undefined ? '' : `:${encodeURIComponent(config.password)}`;
  const auth = user || password ? `${user}${password}@` : '';
  const host = hostPart(config.host);
  const port = config.port === undefined ? '' : `:${config.port}`;
  const database = config.database === undefined ? '' : encodeURIComponent(config.database);
  const query = new URLSearchParams(config.params).toString();
  return {
    connectionString: `postgres://${auth}${host}${port}/${database}${query ? `?${query}` : ''}`,
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Idle pooled connections otherwise never learn that a firewall dropped them.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
  };
}

function hostPart(host: string | undefined): string {
  if (host === undefined) return '';
  if (host.startsWith('/')) return encodeURIComponent(host); // Unix socket directory
  return host.includes(':') ? `[${host}]` : host;
}
