import type { ConnectionConfig } from '../dialect.js';
import { KEEPALIVE_INITIAL_DELAY_MS } from '../socket.js';

/**
 * mysql2's options for one connection. URL parameters pass through the way mysql2 reads its own
 * `uri` option: JSON when they parse as JSON (`ssl={"rejectUnauthorized":true}`,
 * `supportBigNumbers=true`), else the string.
 */
export function mysqlOptions(config: ConnectionConfig): Record<string, unknown> {
  // mysql2 captures a stack trace per query by default (trace: true), at a cost that grows with
  // the caller's stack depth; havuz's DatabaseError already carries the caller's stack.
  // Keepalive: an idle pooled connection (or one whose server went silent) is found out.
  const options: Record<string, unknown> = { trace: false, enableKeepAlive: true, keepAliveInitialDelay: KEEPALIVE_INITIAL_DELAY_MS };
  for (const [key, value] of Object.entries(config.params)) options[key] = parseParam(value);
  if (config.host?.startsWith('/')) options.socketPath = config.host;
  else if (config.host !== undefined) options.host = config.host;
  if (config.port !== undefined) options.port = config.port;
  if (config.user !== undefined) options.user = config.user;
  if (config.password !== undefined) options.password = config.password;
  if (config.database !== undefined) options.database = config.database;
  if (config.connectTimeoutMs !== undefined) options.connectTimeout = config.connectTimeoutMs;
  return options;
}

function parseParam(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
