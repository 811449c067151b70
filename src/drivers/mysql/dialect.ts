import type { CreateContext } from '../../core/factory.js';
import { abortable, endWithin, withDeadline } from '../../core/timeouts.js';
import { loadPackage, type ConnectionConfig, type QueryOptions, type QueryResult, type SqlDialect } from '../dialect.js';
import { StatementTimeoutError } from '../../core/errors.js';
import { exportOf, fieldsOf, isSocketError } from '../interop.js';
import { ConnectionStates, Liveness } from '../liveness.js';
import { quoteBacktick, transactionSql } from '../sql.js';
import { mysqlOptions } from './config.js';
import { keepProcessAlive } from '../socket.js';
import { MYSQL_URL_PARAMS } from '../url-params.js';

/** mysql2/promise's connection wraps the callback one, which holds the socket. */
function socketOf(connection: MysqlPromiseConnection): unknown {
  return (connection as { connection?: { stream?: unknown } }).connection?.stream;
}

interface Handshake {
  serverVersion?: string;
  statusFlags?: number;
}

/** The part of mysql2's callback connection havuz uses (typed here: mysql2 is an optional peer). */
interface MysqlCoreConnection {
  on(event: 'connect', listener: (handshake: Handshake) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  once(event: 'connect', listener: (handshake: Handshake) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  readonly threadId: number | null;
  promise(): MysqlPromiseConnection;
  destroy(): void;
}

/** The part of mysql2/promise's connection havuz uses: what users of mysql2 know, and the engine's `raw`. */
export interface MysqlPromiseConnection {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
  ping(): Promise<void>;
  /** COM_RESET_CONNECTION (MySQL >= 5.7.3, MariaDB >= 10.2.4). */
  reset(): Promise<void>;
  end(): Promise<void>;
  destroy(): void;
}

/** The connection type of the mysql dialect: mysql2/promise's own connection. */
export type MysqlConnection = MysqlPromiseConnection;

interface ResultHeader {
  affectedRows: number;
  insertId: number | string;
  serverStatus?: number;
}

// Server status flags carried by every OK packet.
const statusInTransaction = 0x0001;
const statusAutocommit = 0x0002;

/** How long after the deadline MariaDB's own max_statement_time may take before the connection is dropped. */
const serverTimeoutGraceMs = 2_000;

/** What havuz knows about a connection's session, from the status flags the server sends. */
class SessionState {
  readonly isMariaDB: boolean;
  readonly liveness: Liveness;
  /**
   * From the last OK packet's status flags, so reset skips the ROLLBACK round trip when no
   * transaction is open. A SELECT's status is not reported, and under autocommit=0 a SELECT
   * opens a transaction, so with autocommit off reset always rolls back.
   */
  inTransaction = false;
  autocommit: boolean;
  readonly #initialAutocommit: boolean;

  constructor(handshake: Handshake, liveness: Liveness) {
    this.liveness = liveness;
    this.isMariaDB = /mariadb/i.test(handshake.serverVersion ?? '');
    // Unknown flags: assume autocommit is off, which only costs a ROLLBACK per return.
    this.#initialAutocommit = handshake.statusFlags !== undefined && (handshake.statusFlags & statusAutocommit) !== 0;
    this.autocommit = this.#initialAutocommit;
  }

  track(serverStatus: number | undefined): void {
    if (serverStatus === undefined) return;
    this.inTransaction = (serverStatus & statusInTransaction) !== 0;
    this.autocommit = (serverStatus & statusAutocommit) !== 0;
  }

  /** COM_RESET_CONNECTION puts the session back as it was at connect. */
  forgetSession(): void {
    this.inTransaction = false;
    this.autocommit = this.#initialAutocommit;
  }
}

const states = new ConnectionStates<MysqlPromiseConnection, SessionState>('mysql2 connection');
const stateOf = (connection: MysqlPromiseConnection): SessionState => states.of(connection);

/** True once the connection died, was dropped after a timeout, or was closed: it must not go back to a pool. */
export const isMysqlConnectionClosed = (connection: MysqlPromiseConnection): boolean => states.isClosed(connection);

export const mysqlDialect: SqlDialect<MysqlPromiseConnection> = {
  name: 'mysql',
  packageName: 'mysql2',
  placeholder: '?',
  urlParams: MYSQL_URL_PARAMS,

  isSingleConnection: () => false,

  async connect(config: ConnectionConfig, context: CreateContext): Promise<MysqlPromiseConnection> {
    context.signal.throwIfAborted();
    // The callback API, not mysql2/promise's createConnection: an abort needs the connection
    // object while the handshake is still running, which the promise API only hands out after.
    const createConnection = exportOf<(options: object) => MysqlCoreConnection>(await loadPackage('mysql2', 'mysql'), 'createConnection');
    const core = createConnection(mysqlOptions(config));
    const liveness = new Liveness(context.onBroken);
    // Listening for good: mysql2 emits 'error' when an idle connection dies, and unheard it crashes Node.
    core.on('error', liveness.lost);
    core.on('end', () => liveness.lost(new Error('Connection lost: the server closed the connection')));
    const handshake = await abortable(
      new Promise<Handshake>((resolve, reject) => {
        core.once('error', reject);
        core.once('connect', (handshake) => {
          core.removeListener('error', reject);
          resolve(handshake);
        });
      }),
      context.signal,
      () => {
        liveness.close();
        core.destroy();
      },
    );
    const connection = core.promise();
    states.set(connection, new SessionState(handshake, liveness));
    liveness.opened();
    return connection;
  },

  close(connection) {
    stateOf(connection).liveness.close();
    return endWithin(() => connection.end(), () => connection.destroy());
  },

  passivate: (connection) => keepProcessAlive(socketOf(connection), false),
  activate: (connection) => keepProcessAlive(socketOf(connection), true),

  async ping(connection) {
    if (stateOf(connection).liveness.closed) return false;
    await connection.ping();
    return true;
  },

  reset(connection, full) {
    const state = stateOf(connection);
    if (full) {
      // Also rolls back, and drops temporary tables, user variables, prepared statements and locks.
      return connection.reset().then(() => state.forgetSession());
    }
    if (!state.inTransaction && state.autocommit) return;
    return connection.query('ROLLBACK').then(([header]) => state.track((header as ResultHeader).serverStatus));
  },

  async query<R>(connection: MysqlPromiseConnection, sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    const state = stateOf(connection);
    const timeoutMs = options?.timeoutMs;
    const timed = timeoutMs !== undefined && timeoutMs > 0;
    const text = timed && state.isMariaDB ? `SET STATEMENT max_statement_time=${seconds(timeoutMs)} FOR ${sql}` : sql;
    const values = params !== undefined && params.length > 0 ? [...params] : undefined;
    const running = connection.query(text, values);
    const [result] = await (timed
      ? withDeadline(running, {
          timeoutMs,
          // MariaDB stops the statement itself; MySQL has no such clause for every statement, so
          // there the deadline drops the connection and the server aborts the statement on its own.
          graceMs: state.isMariaDB ? serverTimeoutGraceMs : 0,
          destroy: () => {
            state.liveness.close();
            connection.destroy();
          },
        }, options?.clock)
      : running);
    if (Array.isArray(result)) return { rows: result as R[], rowCount: result.length };
    const header = result as ResultHeader;
    state.track(header.serverStatus);
    const insertId = header.insertId === 0 || header.insertId === '0' ? undefined : header.insertId;
    return {
      rows: [],
      rowCount: header.affectedRows,
      insertId: typeof insertId === 'string' ? BigInt(insertId) : insertId,
    };
  },

  isConnectionLost(error) {
    if (error instanceof StatementTimeoutError) return error.connectionLost;
    if (isSocketError(error)) return true;
    const { code, errno, fatal, message } = fieldsOf(error);
    // mysql2 marks every error after which the connection is unusable as fatal.
    if (fatal === true) return true;
    if (code === 'PROTOCOL_CONNECTION_LOST' || code === 'ER_SERVER_SHUTDOWN') return true;
    // 1927 is MariaDB's ER_CONNECTION_KILLED, which mysql2's (MySQL) code table does not name.
    if (errno === 1927 || errno === 1053) return true;
    return typeof message === 'string' && message.includes('connection is in closed state');
  },

  errorCode(error) {
    const { code, errno, sqlState } = fieldsOf(error);
    // Only server errors carry a SQLSTATE; ECONNRESET and friends are not database error codes.
    if (typeof sqlState !== 'string') return undefined;
    if (typeof code === 'string') return code;
    // MariaDB-only errors (ER_STATEMENT_TIMEOUT 1969, ...) have no name in mysql2's table.
    return typeof errno === 'number' ? String(errno) : undefined;
  },

  isTimeout(error) {
    if (error instanceof StatementTimeoutError) return true;
    const { errno } = fieldsOf(error);
    // 1969 MariaDB max_statement_time exceeded; 3024 MySQL max_execution_time exceeded.
    return errno === 1969 || errno === 3024;
  },

  sql: transactionSql(quoteBacktick, 'START TRANSACTION READ ONLY'),
};

function seconds(ms: number): string {
  // max_statement_time=0 would mean "no limit", so never round down to it.
  return Math.max(ms / 1000, 0.001).toFixed(3);
}
