import { DriverMissingError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { CreateContext } from '../core/factory.js';
import type { Dialect } from './schemes.js';

/** Where and how to connect, parsed from a URL by the engine. The password never leaves this object in a message. */
export interface ConnectionConfig {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** SQLite: a file path, or ':memory:'. */
  filename?: string;
  /** Driver options from the URL's query string that are not havuz's own (sslmode, application_name, ...). */
  params: Record<string, string>;
  /** Connect timeout in ms (from `connect_timeout` / `connectTimeout`, or the pool's createTimeoutMs). */
  connectTimeoutMs?: number;
  /**
   * The engine's `connectArgs`: passed to the driver's client or connection constructor untouched,
   * over what the URL gives (pg `ssl` objects, `types`, `binary`; mysql2 `ssl`, `typeCast`, ...).
   */
  connectArgs?: Readonly<Record<string, unknown>>;
}

export interface QueryOptions {
  /** Cancel the statement after this many ms (server-side where the database supports it). */
  timeoutMs?: number;
  /** The clock the deadline runs on: the pool's, so tests drive statement deadlines with a fake one. */
  clock?: Clock;
}

/** Rows as plain objects with the driver's own types; `rowCount` is affected rows for writes. */
export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
  /** Auto-generated id of an INSERT, where the database reports one (MySQL, SQLite). */
  insertId?: number | bigint;
}

/**
 * Everything that differs between SQL databases, and nothing more (SQLAlchemy keeps its dialect
 * surface to do_ping / do_rollback / do_close the same way). Each driver is a thin adapter over
 * the database package, which it loads lazily so the package stays an optional peer dependency.
 */
export interface SqlDialect<C = unknown> {
  readonly name: Dialect;
  /** The npm package the user must install, named in the error when it is missing. */
  readonly packageName: string;
  /** Placeholder style for parameters: `$1` (postgres) or `?` (mysql, sqlite). */
  readonly placeholder: '$n' | '?';
  /** URL parameters this driver understands (the rest is checked for misspelled havuz options). */
  readonly urlParams: ReadonlySet<string>;
  /** True when every connection shares one in-process database (SQLite memory): use a static pool. */
  isSingleConnection(config: ConnectionConfig): boolean;

  /** Open one connection. Honour `context.signal` (abort the connect) and call `context.onBroken` when it dies on its own. */
  connect(config: ConnectionConfig, context: CreateContext): Promise<C>;
  close(connection: C): Promise<void>;
  /** Cheap round trip (`SELECT 1`); false or a throw means dead. */
  ping(connection: C): Promise<boolean>;
  /** On return: roll back an open transaction; with `full`, discard all session state too (DISCARD ALL / COM_RESET_CONNECTION). */
  /**
   * Return synchronously (not a promise) when there is nothing to undo: the pool then checks the
   * connection in at once, and a sequential workload keeps reusing one connection.
   */
  reset(connection: C, full: boolean): Promise<void> | void;
  /** The connection goes idle in the pool: unref its socket, so it does not keep the process alive. */
  passivate?(connection: C): void;
  /** The connection leaves idle: its socket keeps the process alive again while it works. */
  activate?(connection: C): void;
  query<R = Record<string, unknown>>(connection: C, sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
  /**
   * One of the driver's own query calls, as code written for the driver makes it (`method` on the
   * connection with the caller's arguments: callbacks, config objects, cursors and streams), under
   * the statement deadline. Returns what the driver returns; results and errors are the driver's
   * own. `settled` hears once how the call ended (its error, or undefined and the rows returned or
   * affected), so the engine can retire a lost connection and observe the statement; a cursor or
   * stream, whose outcome goes to its own reader, is not heard.
   */
  native?(connection: C, method: string, args: unknown[], options: QueryOptions | undefined, settled: (error: unknown, rowCount: number | undefined) => void): unknown;

  /**
   * Several autocommit statements in flight on one connection, each answered in order (pg >= 8.23's
   * pipeline mode: Parse/Bind/Execute/Sync per statement, so each is its own implicit transaction
   * and an error ends at its own Sync). Absent where the driver cannot pipeline.
   */
  readonly pipelining?: Pipelining<C>;

  /** The error means the connection itself is gone (socket closed, server terminated it): never reuse it. */
  isConnectionLost(error: unknown): boolean;
  /** The server's error code for a database error (SQLSTATE '23505', MySQL 'ER_DUP_ENTRY' / 1062), else undefined. */
  errorCode(error: unknown): string | undefined;
  /** The statement ran longer than its timeout and was cancelled. */
  isTimeout(error: unknown): boolean;

  readonly sql: {
    begin: string;
    /** Starts a transaction the server refuses to write in; undefined where the database has none. */
    beginReadOnly: string | undefined;
    commit: string;
    rollback: string;
    savepoint(name: string): string;
    releaseSavepoint(name: string): string;
    rollbackToSavepoint(name: string): string;
  };
}

/** A driver's pipeline mode, as the engine's pipeline dispatcher drives it. */
export interface Pipelining<C> {
  /** This connection can pipeline (pg's own Client, not pg-native or a test double). */
  supports(connection: C): boolean;
  /** Pipeline mode on or off; switched only while nothing is in flight on the connection. */
  set(connection: C, on: boolean): void;
  /** The transaction status after the last answered statement: 'I' idle, 'T' / 'E' in a transaction. */
  transactionStatus(connection: C): string | null;
  /** Asks the server to stop whatever statement the connection runs now; resolves once delivered. */
  cancel(connection: C): Promise<void>;
  /** Cuts the socket: every statement in flight on it fails as a lost connection. */
  drop(connection: C): void;
}

const loaded = new Map<string, Promise<unknown>>();

/**
 * Loads an optional peer dependency once (a dynamic import per connect costs ~20 µs, and much
 * more under a loader), or says which package to install.
 */
export function loadPackage<M>(name: string, dialect: string): Promise<M> {
  let module = loaded.get(name);
  if (module === undefined) {
    module = importPackage(name, dialect);
    loaded.set(name, module);
    module.catch(() => loaded.delete(name)); // installed later: let the next connect try again
  }
  return module as Promise<M>;
}

async function importPackage(name: string, dialect: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (error) {
    // Only when the package itself is missing: a missing dependency of an installed package
    // fails with the same code, and calling that "install the package" would mislead.
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'ERR_MODULE_NOT_FOUND' && (message ?? '').includes(`'${name}'`)) {
      throw new DriverMissingError(name, dialect);
    }
    throw error;
  }
}
