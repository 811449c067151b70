/**
 * The one place the bench touches a database: everything else in src/bench and src/cli talks to a
 * BenchTarget. Until src/engine lands this adapter builds a core pool over the database packages
 * itself; switching to `createEngine(url, options)` changes this file only.
 */
import type { Factory } from '../core/factory.js';
import type { PoolOptions } from '../core/options.js';
import { Pool, type ConnectionPool } from '../core/pool.js';
import { NullPool } from '../core/pools/null.js';
import { StaticPool } from '../core/pools/static.js';
import type { PoolStatus } from '../core/stats.js';

export type Dialect = 'postgres' | 'mysql' | 'sqlite';
export type PoolClass = 'queue' | 'null' | 'static';

export interface QueryRows {
  rows: Record<string, unknown>[];
}

export interface BenchTarget {
  readonly dialect: Dialect;
  /** The URL with its password redacted: the only form that may be printed. */
  readonly url: string;
  query(sql: string): Promise<QueryRows>;
  status(): PoolStatus;
  close(): Promise<void>;
}

/** The pool options the bench sets (core names), plus the engine's `poolClass`. */
export interface TargetOptions
  extends Pick<PoolOptions, 'size' | 'maxOverflow' | 'minIdle' | 'acquireTimeoutMs' | 'createTimeoutMs' | 'prePing' | 'maxConnecting'> {
  poolClass?: PoolClass;
}

const SCHEMES: Record<string, Dialect> = { postgres: 'postgres', postgresql: 'postgres', mysql: 'mysql', mariadb: 'mysql', sqlite: 'sqlite' };

/** The dialect a URL names, or undefined for an unsupported scheme. */
export function dialectOf(url: string): Dialect | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined ? undefined : SCHEMES[scheme];
}

/** `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`; also for malformed URLs. */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, (_m, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
    })
    .replace(/([?&](?:password|pass|pwd|secret|token)=)[^&#]*/gi, '$1***');
}

export class TargetUrlError extends Error {}

/** Opens nothing yet: the first query connects, so errors surface from `query`. */
export function makeTarget(url: string, options: TargetOptions = {}): BenchTarget {
  const dialect = dialectOf(url);
  if (dialect === undefined) {
    throw new TargetUrlError(`unsupported database URL ${redactUrl(url)}: use postgresql://, mysql://, mariadb:// or sqlite:///file.db`);
  }
  const { poolClass = 'queue', ...poolOptions } = options;
  const password = passwordOf(url);
  const factory = scrubbing(FACTORIES[dialect](url), password);
  const name = `bench-${dialect}`;
  const pool: ConnectionPool<Connection> =
    poolClass === 'static'
      ? new StaticPool(factory, { name })
      : poolClass === 'null'
        ? new NullPool(factory, { name, ...poolOptions })
        : new Pool(factory, { name, ...poolOptions });
  return {
    dialect,
    url: redactUrl(url),
    query: (sql) => pool.use((connection) => connection.query(sql)),
    status: () => pool.status(),
    close: () => pool.close(),
  };
}

interface Connection {
  query(sql: string): Promise<QueryRows>;
  close(): Promise<void>;
}

const FACTORIES: Record<Dialect, (url: string) => Factory<Connection>> = {
  postgres: (url) =>
    adapter(async ({ signal, onBroken }) => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      client.on('error', onBroken);
      const abort = (): void => void client.end().catch(() => undefined);
      signal.addEventListener('abort', abort, { once: true });
      try {
        await client.connect();
      } finally {
        signal.removeEventListener('abort', abort);
      }
      return {
        query: async (sql) => ({ rows: (await client.query(sql)).rows }),
        close: () => client.end(),
      };
    }),
  mysql: (url) =>
    adapter(async ({ onBroken }) => {
      const mysql = await import('mysql2/promise');
      const connection = await mysql.createConnection(url.replace(/^mariadb:/i, 'mysql:'));
      connection.on('error', onBroken);
      return {
        query: async (sql) => {
          const [rows] = await connection.query(sql);
          return { rows: Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [] };
        },
        close: () => connection.end(),
      };
    }),
  sqlite: (url) =>
    adapter(async () => {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(sqliteFilename(url));
      return {
        query: async (sql) => {
          const statement = db.prepare(sql);
          return { rows: statement.reader ? (statement.all() as Record<string, unknown>[]) : (statement.run(), []) };
        },
        close: async () => void db.close(),
      };
    }),
};

function adapter(create: Factory<Connection>['create']): Factory<Connection> {
  return { create, destroy: (connection) => connection.close(), validate: async (c) => (await c.query('SELECT 1'), true) };
}

/** SQLAlchemy's spelling: sqlite:///relative.db, sqlite:////absolute.db, sqlite::memory:. */
function sqliteFilename(url: string): string {
  const base = url.split('?')[0]!;
  if (base === 'sqlite::memory:' || base === 'sqlite://' || base === 'sqlite:///:memory:') return ':memory:';
  if (!base.startsWith('sqlite:///') || base.length === 'sqlite:///'.length) {
    throw new TargetUrlError(`bad SQLite URL ${url}: use sqlite:///relative.db or sqlite:////absolute/path.db`);
  }
  return decodeURIComponent(base.slice('sqlite:///'.length));
}

function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}

/** Drivers sometimes echo what they were given; no message leaves here with the password in it. */
function scrubbing(factory: Factory<Connection>, password: string | undefined): Factory<Connection> {
  if (password === undefined) return factory;
  const scrub = (error: unknown): unknown => {
    if (error instanceof Error) {
      error.message = error.message.split(password).join('***');
      if (error.stack) error.stack = error.stack.split(password).join('***');
    }
    return error;
  };
  return {
    ...factory,
    create: (context) => factory.create(context).catch((error: unknown) => Promise.reject(scrub(error))),
  };
}
