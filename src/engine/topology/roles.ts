import { DatabaseError } from '../../core/errors.js';
import type { QueryResult } from '../../drivers/dialect.js';
import type { Dialect } from '../../drivers/schemes.js';

/** What a server says about itself: the facts every routing decision is made from. */
export interface HostFacts {
  /** PostgreSQL: `pg_is_in_recovery()` (a standby). MySQL/MariaDB: the same as readOnly. */
  inRecovery: boolean;
  /** PostgreSQL: `transaction_read_only`. MySQL/MariaDB: `@@read_only` or `@@innodb_read_only`. */
  readOnly: boolean;
  /** How far a replica's data is behind its primary; 0 on a primary; undefined when it cannot be told. */
  lagMs: number | undefined;
}

export type ServerRole = 'primary' | 'replica';

export const roleOf = (facts: HostFacts): ServerRole => (facts.readOnly || facts.inRecovery ? 'replica' : 'primary');

type Run = (sql: string) => Promise<QueryResult>;

/**
 * One round trip on PostgreSQL. A standby whose received WAL is all replayed is current however
 * long ago the last commit was (an idle primary writes nothing to replay), so lag counts only
 * while replay is behind what was received.
 */
const POSTGRES_PROBE = `SELECT pg_is_in_recovery() AS in_recovery,
  current_setting('transaction_read_only') = 'on' AS read_only,
  CASE WHEN NOT pg_is_in_recovery() THEN 0::float8
       WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8
       ELSE (EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8 END AS lag_ms`;

// innodb_read_only is how Aurora MySQL marks its readers; read_only (and super_read_only, which
// implies it) is how everyone else does.
const MYSQL_PROBE = 'SELECT @@global.read_only AS ro, @@global.innodb_read_only AS iro';

/** Asks the server for its role (and, with `lag`, a replica's lag) on a connection the caller holds. */
export async function probeFacts(dialect: Dialect, run: Run, lag: boolean): Promise<HostFacts> {
  if (dialect === 'postgres') {
    const row = (await run(POSTGRES_PROBE)).rows[0] as { in_recovery: boolean; read_only: boolean; lag_ms: number | null };
    const lagMs = row.lag_ms === null ? undefined : Math.max(0, Number(row.lag_ms));
    return { inRecovery: row.in_recovery, readOnly: row.read_only, lagMs };
  }
  const row = (await run(MYSQL_PROBE)).rows[0] as { ro: number | string; iro: number | string };
  const readOnly = Number(row.ro) === 1 || Number(row.iro) === 1;
  return { inRecovery: readOnly, readOnly, lagMs: readOnly ? (lag ? await mysqlLag(run) : undefined) : 0 };
}

/**
 * Seconds_Behind_Master (MariaDB, older MySQL) or Seconds_Behind_Source (MySQL 8.0.22+): NULL
 * while replication is stopped, so undefined, as for a read-only server that replicates from
 * nobody and for a user without the REPLICATION CLIENT / SLAVE MONITOR privilege.
 */
async function mysqlLag(run: Run): Promise<number | undefined> {
  let rows: Record<string, unknown>[];
  try {
    rows = (await run('SHOW REPLICA STATUS')).rows;
  } catch (error) {
    if (!isSyntaxError(error)) return undefined;
    rows = (await run('SHOW SLAVE STATUS')).rows.map((r) => r as Record<string, unknown>);
  }
  const row = rows[0];
  const seconds = row?.Seconds_Behind_Source ?? row?.Seconds_Behind_Master;
  return seconds === null || seconds === undefined ? undefined : Number(seconds) * 1000;
}

function isSyntaxError(error: unknown): boolean {
  return error instanceof DatabaseError && (error.serverCode === 'ER_PARSE_ERROR' || error.serverCode === '1064');
}

/** A server that refused a write because it is read-only: the statement did not run. */
export function isReadOnlyRefusal(error: unknown): boolean {
  if (!(error instanceof DatabaseError)) return false;
  const code = error.serverCode;
  // 25006 read_only_sql_transaction; MySQL 1290 names the option that prevents the statement,
  // which is read_only (or super_read_only) for this purpose; 1836 ER_READ_ONLY_MODE.
  if (code === '25006' || code === 'ER_READ_ONLY_MODE' || code === '1836') return true;
  return (code === 'ER_OPTION_PREVENTS_STATEMENT' || code === '1290') && /read.only/i.test(error.message);
}
