import type { ConnectionConfig } from '../dialect.js';
import { KEEPALIVE_INITIAL_DELAY_MS } from '../socket.js';
import { pgConnectionStringParser } from './pg-module.js';

/**
 * pg's config for one client. The URL goes to pg as a connection string, so pg applies its own
 * meaning to every URL parameter (sslmode, sslrootcert, application_name, options,
 * statement_timeout, host=/socket/dir, ...) exactly as it does for its users, instead of havuz
 * re-implementing it. The string lives only in this object, which pg does not keep.
 *
 * `connectArgs` go over what the URL gives. pg lets a connectionString win over any field beside
 * it (even with an empty user or host), so with connectArgs the URL is parsed first, by pg's own
 * parser, and the fields merged: the caller's `ssl` object, `password` function or `host` win.
 * A `connectionString` in connectArgs is passed on as is, with pg's precedence.
 */
export function pgClientConfig(config: ConnectionConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    // Idle pooled connections otherwise never learn that a firewall dropped them.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
  };
  if (config.connectTimeoutMs !== undefined) out.connectionTimeoutMillis = config.connectTimeoutMs;
  const args = config.connectArgs;
  if (args === undefined || Reflect.ownKeys(args).length === 0) {
    const connectionString = urlString(config);
    if (connectionString !== undefined) out.connectionString = connectionString;
    return out;
  }
  return Object.assign(out, pgConnectOptions(config));
}

/**
 * The connection fields as pg reads them: the URL parsed by pg's parser, then connectArgs over
 * it, with the password not enumerable, as pg-pool keeps it, so printing the object does not show
 * it. What `PgPool.options` exposes, and what Kysely copies to cancel a query.
 */
export function pgConnectOptions(config: ConnectionConfig): Record<string, unknown> {
  const connectionString = urlString(config);
  const out: Record<string, unknown> = connectionString === undefined ? {} : { ...pgConnectionStringParser()(connectionString) };
  // Descriptors, not Object.assign: a password the caller already hid stays readable.
  if (config.connectArgs !== undefined) Object.defineProperties(out, Object.getOwnPropertyDescriptors(config.connectArgs));
  hide(out, 'password');
  return out;
}

function hide(object: Record<string, unknown>, key: string): void {
  if (Object.hasOwn(object, key)) {
    Object.defineProperty(object, key, { value: object[key], enumerable: false, writable: true, configurable: true });
  }
}

/** The URL's parts as a connection string; undefined when the URL named nothing (`postgresql://`): pg's defaults and PG* variables then apply. */
function urlString(config: ConnectionConfig): string | undefined {
  const query = new URLSearchParams(config.params).toString();
  const { host, port, user, password, database } = config;
  if (host === undefined && port === undefined && user === undefined && password === undefined && database === undefined && query === '') {
    return undefined;
  }
  const auth =
    user !== undefined || password !== undefined
      ? `${user === undefined ? '' : encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`
      : '';
  const portPart = port === undefined ? '' : `:${port}`;
  const path = database === undefined ? '' : encodeURIComponent(database);
  return `postgres://${auth}${hostPart(host)}${portPart}/${path}${query ? `?${query}` : ''}`;
}

function hostPart(host: string | undefined): string {
  if (host === undefined) return '';
  if (host.startsWith('/')) return encodeURIComponent(host); // Unix socket directory
  return host.includes(':') ? `[${host}]` : host;
}
