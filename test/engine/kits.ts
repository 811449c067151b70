import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../src/engine/index.js';
import { urls } from '../support/databases.js';

/**
 * What differs per database in the engine's contract suite: URL, DDL, placeholders, how to read
 * the backend id and kill it from outside, how to sleep, a session variable to leak.
 */
export interface Kit {
  name: string;
  url(): string;
  /** One placeholder, 1-based. */
  p(n: number): string;
  autoId: string;
  /** Server-side sleep of `seconds`. */
  sleep(seconds: number): string;
  /** The backend id of the current session, as a one-row one-column query. */
  backendId: string;
  /** Kill a backend from another connection; undefined where the database has no server. */
  kill?(engine: Engine, id: unknown): Promise<void>;
  /** Set and read a session variable, to check that state does not leak between leases. */
  setSession: string;
  readSession: string;
  /** The value readSession returns when the variable was never set. */
  sessionDefault: unknown;
  uniqueViolation: string;
  supportsTimeout: boolean;
  cleanup(): void;
}

const pg: Kit = {
  name: 'postgres',
  url: () => urls.postgres,
  p: (n) => `$${n}`,
  autoId: 'id SERIAL PRIMARY KEY',
  sleep: (s) => `SELECT pg_sleep(${s})`,
  backendId: 'SELECT pg_backend_pid() AS id',
  kill: async (engine, id) => {
    await engine.query('SELECT pg_terminate_backend($1)', [id]);
  },
  setSession: "SET application_name = 'leaked'",
  readSession: "SELECT current_setting('application_name') AS v",
  sessionDefault: '',
  uniqueViolation: '23505',
  supportsTimeout: true,
  cleanup: () => {},
};

const maria: Kit = {
  name: 'mariadb',
  url: () => urls.mysql,
  p: () => '?',
  autoId: 'id INT AUTO_INCREMENT PRIMARY KEY',
  sleep: (s) => `SELECT SLEEP(${s})`,
  backendId: 'SELECT CONNECTION_ID() AS id',
  kill: async (engine, id) => {
    await engine.query(`KILL ${Number(id)}`);
  },
  setSession: "SET @leaked = 'leaked'",
  readSession: 'SELECT @leaked AS v',
  sessionDefault: null,
  uniqueViolation: 'ER_DUP_ENTRY',
  supportsTimeout: true,
  cleanup: () => {},
};

function sqlite(kind: 'file' | 'memory'): Kit {
  let dir: string | undefined;
  return {
    name: `sqlite-${kind}`,
    url: () => {
      if (kind === 'memory') return urls.sqliteMemory;
      dir ??= mkdtempSync(join(tmpdir(), 'havuz-engine-'));
      return urls.sqliteFile(join(dir, 'test.db'));
    },
    p: () => '?',
    autoId: 'id INTEGER PRIMARY KEY AUTOINCREMENT',
    sleep: () => 'SELECT 1',
    backendId: 'SELECT 1 AS id',
    setSession: 'PRAGMA cache_size = 1234',
    readSession: 'PRAGMA cache_size',
    sessionDefault: undefined,
    uniqueViolation: 'SQLITE_CONSTRAINT_UNIQUE',
    supportsTimeout: false,
    cleanup: () => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const kits: Kit[] = [pg, maria, sqlite('file'), sqlite('memory')];
