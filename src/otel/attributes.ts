import type { Attributes } from '@opentelemetry/api';
import type { MonitoredEngine } from '../monitor/source.js';

/**
 * What `db.client.operation.duration` carries for every statement of an engine: the database
 * system, namespace (database name) and server, from the redacted URL (never its userinfo).
 */
export function engineAttributes(engine: MonitoredEngine): Attributes {
  const attrs: Attributes = { 'db.system.name': systemName(engine) };
  if (engine.dialect === 'sqlite') return attrs;
  try {
    const url = new URL(engine.url);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (database !== '') attrs['db.namespace'] = database;
    if (url.hostname !== '') attrs['server.address'] = url.hostname.replace(/^\[|\]$/g, '');
    // The conventions want the port only when it is not the system's default.
    if (url.port !== '') attrs['server.port'] = Number(url.port);
  } catch {
    // A URL the engine accepted but WHATWG URL does not (a socket path): the system alone.
  }
  return attrs;
}

function systemName(engine: MonitoredEngine): string {
  if (engine.dialect === 'postgres') return 'postgresql';
  if (engine.dialect === 'mysql') return /^mariadb:/i.test(engine.url) ? 'mariadb' : 'mysql';
  return engine.dialect;
}

/** Statements with a single operation keyword; the conventions allow parsing it then, and only then. */
const SINGLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|MERGE|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|CALL|EXPLAIN|CREATE|DROP|ALTER|TRUNCATE|COPY|LOCK|VACUUM|ANALYZE)\b/i;

export function operationAttributes(base: Attributes, sql: string, error: unknown): Attributes {
  const attrs: Attributes = { ...base };
  const operation = SINGLE.exec(sql)?.[1];
  if (operation !== undefined && !/;\s*\S/.test(sql)) attrs['db.operation.name'] = operation.toUpperCase();
  if (error !== undefined) {
    const e = error as { serverCode?: unknown; code?: unknown; name?: unknown };
    const status = typeof e.serverCode === 'string' || typeof e.serverCode === 'number' ? String(e.serverCode) : undefined;
    if (status !== undefined) attrs['db.response.status_code'] = status;
    // The server's code when there is one (SQLSTATE 23505), else havuz's (HAVUZ_STATEMENT_TIMEOUT).
    attrs['error.type'] = status ?? (typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : '_OTHER');
  }
  return attrs;
}
