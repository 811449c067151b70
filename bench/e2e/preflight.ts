import mysql from 'mysql2/promise';
import pg from 'pg';

export interface ServerFacts {
  /** `PostgreSQL 16.4`, `10.11.19-MariaDB` */
  version: string;
  maxConnections: number;
  /** Connections open now, from anyone (other engineers' tests share this machine). */
  inUse: number;
  /** PostgreSQL keeps this many of max_connections for superusers. */
  reserved: number;
}

/** Connects once to each database: that it answers, its version, and how many connections are left. */
export async function postgresFacts(url: string): Promise<ServerFacts> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; max: string; reserved: string; in_use: string }>(
      `SELECT split_part(version(), ' ', 2) AS version, current_setting('max_connections') AS max,
              current_setting('superuser_reserved_connections') AS reserved,
              (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use`,
    );
    const row = rows[0]!;
    return { version: `PostgreSQL ${row.version}`, maxConnections: Number(row.max), reserved: Number(row.reserved), inUse: Number(row.in_use) };
  } finally {
    await client.end();
  }
}

export async function mysqlFacts(url: string): Promise<ServerFacts> {
  const connection = await mysql.createConnection(url);
  try {
    const [rows] = await connection.query('SELECT VERSION() AS version, @@max_connections AS max');
    const [status] = await connection.query("SHOW STATUS LIKE 'Threads_connected'");
    const row = (rows as { version: string; max: number }[])[0]!;
    const inUse = Number((status as { Value: string }[])[0]?.Value ?? 0);
    return { version: row.version, maxConnections: Number(row.max), reserved: 0, inUse };
  } finally {
    await connection.end();
  }
}
