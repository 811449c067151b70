import { InvalidOptionError } from '../../core/errors.js';
import type { CreateContext } from '../../core/factory.js';
import { loadPackage, type ConnectionConfig, type QueryResult, type SqlDialect } from '../dialect.js';
import { fieldsOf } from '../interop.js';
import { quoteDouble, transactionSql } from '../sql.js';

/** The part of better-sqlite3's Database havuz uses (typed here: it is an optional peer). */
export interface SqliteDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string): unknown;
  close(): unknown;
}

interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

type DatabaseClass = new (filename: string, options: Record<string, unknown>) => SqliteDatabase;

/** Wait this long for another connection's write lock before SQLITE_BUSY (better-sqlite3's default too). */
const defaultBusyTimeoutMs = 5_000;

// URL parameters that are options of the Database constructor; every other one is a PRAGMA.
const openOptions = new Set(['readonly', 'fileMustExist']);
const pragmaName = /^[a-z_]+$/;
const pragmaValue = /^[\w.-]+$/;

const insertStatement = /^\s*(?:with\b[\s\S]*\)\s*)?(?:insert|replace)\b/i;

const lostCodes = new Set(['SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB']);

/**
 * better-sqlite3 runs every statement synchronously on the calling thread, so the promises here
 * only adapt the interface, and `timeoutMs` cannot be honoured: nothing could interrupt the
 * statement while it blocks the thread (better-sqlite3 does not expose sqlite3_interrupt).
 */
export const sqliteDialect: SqlDialect<SqliteDatabase> = {
  name: 'sqlite',
  packageName: 'better-sqlite3',
  placeholder: '?',
  // Open options; a PRAGMA name is any other parameter (checked only against havuz's option names).
  urlParams: openOptions,

  // ':memory:' and '' (a private temporary file) are a new, empty database per connection.
  isSingleConnection: (config) => config.filename === undefined || config.filename === '' || config.filename === ':memory:',

  async connect(config: ConnectionConfig, context: CreateContext): Promise<SqliteDatabase> {
    context.signal.throwIfAborted();
    const Database = databaseClass(await loadPackage('better-sqlite3', 'sqlite'));
    context.signal.throwIfAborted();
    const filename = config.filename ?? ':memory:';
    const options: Record<string, unknown> = { timeout: defaultBusyTimeoutMs };
    const pragmas: [string, string][] = [];
    for (const [key, value] of Object.entries(config.params)) {
      if (openOptions.has(key)) options[key] = value === 'true' || value === '1';
      else if (pragmaName.test(key) && pragmaValue.test(value)) pragmas.push([key, value]);
      else throw new InvalidOptionError(key, value, 'an SQLite open option or a PRAGMA name = value (in the URL)');
    }
    const db = new Database(filename, options);
    try {
      // WAL lets readers run while one connection writes; with the rollback journal a pool of
      // connections on one file mostly waits on SQLITE_BUSY. `?journal_mode=delete` opts out.
      const memory = sqliteDialect.isSingleConnection(config);
      if (!memory && !pragmas.some(([name]) => name === 'journal_mode') && options.readonly !== true) db.pragma('journal_mode = WAL');
      for (const [name, value] of pragmas) db.pragma(`${name} = ${value}`);
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  },

  async close(db) {
    db.close();
  },

  async ping(db) {
    if (!db.open) return false;
    db.prepare('SELECT 1').all();
    return true;
  },

  // Synchronous, as better-sqlite3 is: the pool checks the connection in without an await.
  reset(db, full) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (!full) return;
    // The session state SQLite has is the temp schema; drop what the borrower created there.
    const objects = db.prepare("SELECT type, name FROM temp.sqlite_master WHERE type IN ('table', 'view')").all() as { type: string; name: string }[];
    for (const { type, name } of objects) db.exec(`DROP ${type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS temp.${quoteDouble(name)}`);
  },

  async query<R>(db: SqliteDatabase, sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const statement = db.prepare(sql);
    // SQLite has no boolean type and better-sqlite3 refuses to bind one.
    const values = params === undefined ? [] : params.map((value) => (typeof value === 'boolean' ? Number(value) : value));
    if (statement.reader) {
      const rows = statement.all(...values) as R[];
      return { rows, rowCount: rows.length };
    }
    const { changes, lastInsertRowid } = statement.run(...values);
    // lastInsertRowid is the connection's last insert, stale after an UPDATE or DELETE.
    return { rows: [], rowCount: changes, insertId: changes > 0 && insertStatement.test(sql) ? lastInsertRowid : undefined };
  },

  isConnectionLost(error) {
    const { code, message } = fieldsOf(error);
    if (typeof code === 'string' && (lostCodes.has(code) || code.startsWith('SQLITE_IOERR'))) return true;
    return typeof message === 'string' && message.includes('database connection is not open');
  },

  errorCode(error) {
    const { code } = fieldsOf(error);
    return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
  },

  isTimeout: () => false,

  sql: transactionSql(quoteDouble),
};

/** better-sqlite3 exports the Database class itself (module.exports = Database). */
function databaseClass(module: unknown): DatabaseClass {
  return ((module as { default?: unknown }).default ?? module) as DatabaseClass;
}
