import { InvalidUrlError } from '../../core/errors.js';
import { DEFAULT_PORTS, dialectOfUrl, type Dialect } from '../../drivers/schemes.js';
import { redactUrl } from '../redact.js';

/** One server of a topology, as the URL names it. */
export interface HostAddress {
  host: string;
  port: number;
  /** `host:port` (`[::1]:5432` for IPv6): how status, metrics and errors name the host. Never holds a secret. */
  label: string;
}

export interface TopologyUrl {
  dialect: Dialect;
  hosts: HostAddress[];
  /** The URL with its password redacted. */
  redacted: string;
  /** Query parameters that configure the topology (libpq's names and havuz's own), as strings. */
  params: Record<string, string>;
  /** A plain single-host URL for host `i`: credentials, database and the other parameters, for its own pool. */
  hostUrl(i: number): string;
}

/** Query parameters the topology reads and keeps from the per-host URLs. */
export const TOPOLOGY_URL_KEYS = ['target_session_attrs', 'load_balance_hosts', 'maxReplicaLagMs', 'hostRecheckMs', 'hostCheckTimeoutMs'] as const;

interface Parts {
  prefix: string;
  hostList: string;
  path: string;
  query: string;
}

/** `scheme://userinfo@` | `h1:5432,h2` | `/db` | `?query` (the fragment is dropped, as libpq does). */
function split(url: string): Parts | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (scheme === null) return undefined;
  const rest = url.slice(scheme[0].length).replace(/#.*$/s, '');
  // Userinfo runs to the last '@' before the path: a password may hold '@' unencoded.
  const pathAt = rest.search(/[/?]/);
  const authority = pathAt === -1 ? rest : rest.slice(0, pathAt);
  const at = authority.lastIndexOf('@');
  const tail = pathAt === -1 ? '' : rest.slice(pathAt);
  const q = tail.indexOf('?');
  return {
    prefix: scheme[0] + (at === -1 ? '' : authority.slice(0, at + 1)),
    hostList: authority.slice(at + 1),
    path: q === -1 ? tail : tail.slice(0, q),
    query: q === -1 ? '' : tail.slice(q + 1),
  };
}

/**
 * True when a URL names a topology rather than one server: several hosts
 * (`postgresql://h1:5432,h2:5433/db`), or any topology parameter (`target_session_attrs`, ...).
 */
export function isTopologyUrl(url: string): boolean {
  if (typeof url !== 'string') return false;
  const dialect = dialectOfUrl(url);
  if (dialect === undefined || dialect === 'sqlite') return false;
  const parts = split(url);
  if (parts === undefined) return false;
  if (parts.hostList.includes(',')) return true;
  const query = new URLSearchParams(parts.query);
  return TOPOLOGY_URL_KEYS.some((key) => query.has(key));
}

/**
 * Parses a multi-host URL the way libpq reads one: `postgresql://user:pw@h1:5432,h2:5433,[::1]/db?
 * target_session_attrs=read-write&load_balance_hosts=random`. A host without a port gets the
 * scheme's default. MySQL/MariaDB URLs take the same host list.
 */
export function parseTopologyUrl(url: string): TopologyUrl {
  const redacted = typeof url === 'string' ? redactUrl(url) : String(url);
  const invalid = (reason: string): InvalidUrlError => new InvalidUrlError(redacted, reason);
  const dialect = typeof url === 'string' ? dialectOfUrl(url) : undefined;
  const parts = dialect === undefined ? undefined : split(url);
  if (dialect === undefined || parts === undefined) throw invalid('expected postgresql://host1:port1,host2:port2/database or mysql://...');
  if (dialect === 'sqlite') throw invalid('SQLite has no hosts, so no primary or replicas');
  const hosts = parts.hostList.split(',').map((text) => parseHost(text, DEFAULT_PORTS[dialect]!, invalid));
  const labels = new Set(hosts.map((h) => h.label));
  if (labels.size !== hosts.length) throw invalid('a host is named twice');
  const params: Record<string, string> = {};
  const driverQuery = new URLSearchParams();
  for (const [key, value] of new URLSearchParams(parts.query)) {
    if ((TOPOLOGY_URL_KEYS as readonly string[]).includes(key)) params[key] = value;
    else driverQuery.append(key, value);
  }
  const query = driverQuery.toString();
  return {
    dialect,
    hosts,
    redacted,
    params,
    hostUrl: (i) => {
      const h = hosts[i]!;
      const host = h.host.includes(':') ? `[${h.host}]` : h.host;
      return `${parts.prefix}${host}:${h.port}${parts.path}${query === '' ? '' : `?${query}`}`;
    },
  };
}

function parseHost(text: string, defaultPort: number, invalid: (reason: string) => InvalidUrlError): HostAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d*))?$/.exec(text);
  if (match === null) throw invalid(text === '' ? 'an empty host in the host list' : `cannot read host "${text}" (expected host, host:port or [ipv6]:port)`);
  const host = match[1] ?? match[2]!;
  const port = match[3] === undefined || match[3] === '' ? defaultPort : Number(match[3]);
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw invalid(`port of "${text}" must be 1 to 65535`);
  return { host, port, label: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}
