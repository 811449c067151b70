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
 * havuz options; every other query parameter is passed to the driver untouched (pg and mysql2
 * give them their own meaning: `host=/var/run/postgresql`, `sslmode`, `socketPath`, ...).
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

  const { parsed, hasHost } = parseAuthority(url, base);
  if (hasHost) {
    // A percent-encoded host is a Unix socket path (`postgresql://%2Fvar%2Frun%2Fpostgresql/db`).
    config.host = decode(url, parsed.hostname.replace(/^\[(.*)\]$/, '$1'));
    config.port = parsed.port === '' ? DEFAULT_PORTS[scheme] : Number(parsed.port);
  } else if (parsed.port !== '') {
    config.port = Number(parsed.port);
  }
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

/**
 * The URL's authority. No host is allowed, as libpq and pg allow it: `postgresql:///db` (the
 * driver's default host, or a socket directory in `?host=`), `postgresql://` (every default, PG*
 * variables included where the driver reads them) and `postgresql://user@/db?host=/tmp`, which
 * the WHATWG parser refuses (credentials without a host), so it is read with a stand-in host.
 */
function parseAuthority(url: string, base: string): { parsed: URL; hasHost: boolean } {
  const invalid = (): InvalidUrlError => invalidUrl(url, 'not a valid URL (expected scheme://user:password@host:port/database)');
  try {
    const parsed = new URL(base);
    return { parsed, hasHost: parsed.hostname !== '' };
  } catch {
    const hostless = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*@)(?=[/:]|$)/i.exec(base);
    if (hostless === null) throw invalid();
    try {
      return { parsed: new URL(`${hostless[1]}stand-in${base.slice(hostless[1]!.length)}`), hasHost: false };
    } catch {
      throw invalid();
    }
  }
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
