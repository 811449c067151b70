// What differs per database in the dialect contract suite: how to reach it, its SQL spellings, and
// which server-side behaviours (kill, cancel) it has.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateContext } from '../../src/core/factory.js';
import type { ConnectionConfig, SqlDialect } from '../../src/drivers/dialect.js';
import { mysqlDialect } from '../../src/drivers/mysql/dialect.js';
import { postgresDialect } from '../../src/drivers/postgres/dialect.js';
import { sqliteDialect } from '../../src/drivers/sqlite/dialect.js';
import { urls } from '../support/databases.js';

export interface Target {
  name: string;
  dialect: SqlDialect<any>;
  /** The URL skipUnlessReachable probes. */
  url: string;
  config(): ConnectionConfig;
  autoId: string;
  /** A statement that keeps the server busy for 5 s. */
  sleep?: string;
  /** Reads the current session's backend id (one row, column `id`). */
  backendId?: string;
  /** Kills backend `id` from another connection. */
  kill?: string;
  uniqueViolation: string;
  /** A session variable to set, read back as `v`, and its value after a full reset. */
  session?: { set: string; read: string; pristine: unknown };
  cleanup(): void;
}

/** A ConnectionConfig from one of the test URLs (the engine's parser is not under test here). */
export function configFrom(url: string): ConnectionConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port === '' ? undefined : Number(u.port),
    user: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    database: u.pathname.slice(1) || undefined,
    params: Object.fromEntries(u.searchParams),
  };
}

const postgres: Target = {
  name: 'postgres',
  dialect: postgresDialect,
  url: urls.postgres,
  config: () => configFrom(urls.postgres),
  autoId: 'id SERIAL PRIMARY KEY',
  sleep: 'SELECT pg_sleep(5)',
  backendId: 'SELECT pg_backend_pid() AS id',
  kill: 'SELECT pg_terminate_backend($1)',
  uniqueViolation: '23505',
  session: { set: "SET search_path = 'drv_nowhere'", read: "SELECT current_setting('search_path') AS v", pristine: '"$user", public' },
  cleanup: () => {},
};

const mariadb: Target = {
  name: 'mariadb',
  dialect: mysqlDialect,
  url: urls.mysql,
  config: () => configFrom(urls.mysql),
  autoId: 'id INT AUTO_INCREMENT PRIMARY KEY',
  sleep: 'SELECT SLEEP(5)',
  backendId: 'SELECT CONNECTION_ID() AS id',
  kill: 'KILL ?',
  uniqueViolation: 'ER_DUP_ENTRY',
  session: { set: "SET @drv_leak = 'leaked'", read: 'SELECT @drv_leak AS v', pristine: null },
  cleanup: () => {},
};

function sqliteFile(): Target {
  let dir: string | undefined;
  return {
    name: 'sqlite-file',
    dialect: sqliteDialect,
    url: 'sqlite:',
    config: () => {
      dir ??= mkdtempSync(join(tmpdir(), 'havuz-drv-'));
      return { filename: join(dir, 'contract.db'), params: {} };
    },
    autoId: 'id INTEGER PRIMARY KEY AUTOINCREMENT',
    uniqueViolation: 'SQLITE_CONSTRAINT_UNIQUE',
    cleanup: () => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sqliteMemory: Target = {
  name: 'sqlite-memory',
  dialect: sqliteDialect,
  url: 'sqlite:',
  config: () => ({ filename: ':memory:', params: {} }),
  autoId: 'id INTEGER PRIMARY KEY AUTOINCREMENT',
  uniqueViolation: 'SQLITE_CONSTRAINT_UNIQUE',
  cleanup: () => {},
};

export const targets: Target[] = [postgres, mariadb, sqliteFile(), sqliteMemory];

/** A CreateContext whose `broken` promise resolves with the first onBroken error. */
export function createContext(signal: AbortSignal = new AbortController().signal): CreateContext & { broken: Promise<unknown>; brokenCalls: () => number } {
  let calls = 0;
  let report!: (error: unknown) => void;
  const broken = new Promise<unknown>((resolve) => (report = resolve));
  return {
    signal,
    onBroken: (error) => {
      calls++;
      report(error);
    },
    broken,
    brokenCalls: () => calls,
  };
}
