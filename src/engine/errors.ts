import { HavuzError, messageOf } from '../core/errors.js';

/**
 * The database rejected a statement. `serverCode` is the server's own code (SQLSTATE `23505`,
 * MySQL `ER_DUP_ENTRY`); `cause` is the driver's error, untouched.
 */
export class DatabaseError extends HavuzError {
  readonly serverCode: string | undefined;
  constructor(cause: unknown, serverCode: string | undefined, code = 'HAVUZ_DATABASE_ERROR') {
    super(code, messageOf(cause), { cause });
    this.serverCode = serverCode;
  }
}

/** The statement ran past its timeout and was cancelled. The connection stays usable. */
export class StatementTimeoutError extends DatabaseError {
  constructor(cause: unknown, serverCode: string | undefined) {
    super(cause, serverCode, 'HAVUZ_STATEMENT_TIMEOUT');
  }
}

/**
 * The connection died under the statement (server restart, killed backend, network cut). The
 * connection is closed, never reused; whether the statement ran is unknown.
 */
export class ConnectionLostError extends HavuzError {
  constructor(cause: unknown) {
    super('HAVUZ_CONNECTION_LOST', `Connection lost: ${messageOf(cause)}`, { cause });
  }
}
