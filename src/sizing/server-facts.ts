import type { Dialect } from '../drivers/schemes.js';

/** Anything that runs one SQL statement and returns its rows (a BenchTarget, an Engine). */
export type RunSql = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

/** What the database says about its own connection limits. */
export interface ServerFacts {
  version?: string;
  maxConnections?: number;
  reserved?: { count: number; detail: string };
  /** Closes idle connections after this long; 0 or undefined = never. */
  idleTimeoutMs?: number;
  /** Client connections open right now, this session included. */
  openConnections?: number;
}

/**
 * Reads max_connections and the slots reserved from it. PostgreSQL keeps
 * superuser_reserved_connections (and, from 16, reserved_connections) out of reach of ordinary
 * roles; MySQL/MariaDB allow one SUPER connection *beyond* max_connections, so nothing is subtracted.
 */
export async function readServerFacts(dialect: Dialect, run: RunSql): Promise<ServerFacts> {
  if (dialect === 'sqlite') {
    const { rows } = await run('SELECT sqlite_version() AS version');
    return { version: `SQLite ${String(rows[0]?.version ?? '')}` };
  }
  if (dialect === 'postgres') {
    const { rows } = await run(
      "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'superuser_reserved_connections', 'reserved_connections', 'idle_session_timeout', 'server_version')",
    );
    const s = Object.fromEntries(rows.map((r) => [String(r.name), String(r.setting)]));
    const superuser = Number(s.superuser_reserved_connections ?? 0);
    const roles = Number(s.reserved_connections ?? 0);
    const open = await run("SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'");
    return {
      version: s.server_version ? `PostgreSQL ${s.server_version}` : undefined,
      maxConnections: Number(s.max_connections),
      reserved: {
        count: superuser + roles,
        detail: s.reserved_connections === undefined ? `superuser_reserved_connections ${superuser}` : `superuser_reserved_connections ${superuser} + reserved_connections ${roles}`,
      },
      idleTimeoutMs: Number(s.idle_session_timeout ?? 0),
      openConnections: Number(open.rows[0]?.n),
    };
  }
  const { rows } = await run("SHOW VARIABLES WHERE Variable_name IN ('max_connections', 'wait_timeout', 'version', 'version_comment')");
  const v = Object.fromEntries(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
  const open = await run("SHOW STATUS LIKE 'Threads_connected'");
  return {
    version: v.version ? `${/mariadb/i.test(v.version) ? 'MariaDB' : 'MySQL'} ${v.version}` : undefined,
    maxConnections: Number(v.max_connections),
    reserved: { count: 0, detail: 'MySQL keeps its SUPER slot beyond max_connections' },
    idleTimeoutMs: Number(v.wait_timeout ?? 0) * 1000,
    openConnections: Number(open.rows[0]?.Value),
  };
}
