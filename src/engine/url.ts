import { InvalidUrlError } from '../core/errors.js';
import { DEFAULT_PORTS, dialectOfScheme, schemeList, type Dialect } from '../drivers/schemes.js';
import type { ConnectionConfig } from '../drivers/dialect.js';
import { redactUrl } from './redact.js';

export interface ParsedUrl {
  scheme: Dialect;
  config: ConnectionConfig;
  /** havuz's own options found in the query string, still as strings; the engine types them. */
  options: Record<string, string>;
  /** The URL as it may be shown: password redacted. */
  redacted: string;
}

function invalidUrl(url: string, reason: string): InvalidUrlError {
  return new InvalidUrlError(redactUrl(url), reason);
}

/**
 * Parses `postgresql://user:pass@host:5432/db?sslmode=require&poolSize=20`. Keys in `ownKeys` are
 * havuz options; every other query parameter is passed to the driver untouched.
 * SQLite follows SQLAlchemy: `sqlite:///rel/path.db` (relative), `sqlite:////abs/path.db`,
 * `sqlite::memory:`.
 */
export function parseDatabaseUrl(url: string, ownKeys: ReadonlySet<string>): ParsedUrl {
  if (typeof url !== 'string' || url.length === 0) throw invalidUrl(String(url), 'expected a non-empty string');
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  const scheme = match ? dialectOfScheme(match[1]!) : undefined;
  if (scheme === undefined) {
    throw invalidUrl(url, `unsupported scheme; use one of ${schemeList()}`);
  }
  const redacted = redactUrl(url);
  const config: ConnectionConfig = { params: {} };
  const options: Record<string, string> = {};
  const [base, query = ''] = splitQuery(url);
  for (const [key, value] of new URLSearchParams(query)) {
    if (ownKeys.has(key)) options[key] = value;
    else config.params[key] = value;
  }

  if (scheme === 'sqlite') {
    config.filename = sqliteFilename(url, base);
    return { scheme, config, options, redacted };
  }

  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw invalidUrl(url, 'not a valid URL (expected scheme://user:password@host:port/database)');
  }
  if (parsed.hostname === '') throw invalidUrl(url, 'no host');
  config.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  config.port = parsed.port === '' ? DEFAULT_PORTS[scheme] : Number(parsed.port);
  if (parsed.username !== '') config.user = decode(url, parsed.username);
  if (parsed.password !== '') config.password = decode(url, parsed.password);
  const database = parsed.pathname.replace(/^\//, '');
  if (database.includes('/')) throw invalidUrl(url, `the path must be just a database name, got "${database}"`);
  if (database !== '') config.database = decode(url, database);
  const timeout = config.params.connect_timeout ?? config.params.connectTimeout;
  if (timeout !== undefined) {
    const seconds = config.params.connect_timeout !== undefined;
    const n = Number(timeout);
    if (!Number.isFinite(n) || n < 0) throw invalidUrl(url, `connect timeout must be a number, got "${timeout}"`);
    config.connectTimeoutMs = seconds ? n * 1000 : n;
  }
  return { scheme, config, options, redacted };
}

function splitQuery(url: string): [string, string?] {
  const i = url.indexOf('?');
  return i === -1 ? [url] : [url.slice(0, i), url.slice(i + 1)];
}

function sqliteFilename(url: string, base: string): string {
  if (base === 'sqlite::memory:' || base === 'sqlite://' || base === 'sqlite:///:memory:') return ':memory:';
  if (!base.startsWith('sqlite:///')) {
    throw invalidUrl(url, 'use sqlite:///relative/path.db, sqlite:////absolute/path.db or sqlite::memory:');
  }
  const path = decode(url, base.slice('sqlite:///'.length));
  if (path === '') throw invalidUrl(url, 'no file name');
  return path;
}

function decode(url: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalidUrl(url, 'bad percent-encoding');
  }
}
