import { HavuzError } from '../core/errors.js';

/** The database package for a URL's scheme is not installed. */
export class DriverMissingError extends HavuzError {
  constructor(packageName: string, dialect: string) {
    super('HAVUZ_DRIVER_MISSING', `The ${dialect} driver needs the "${packageName}" package: npm install ${packageName}`);
  }
}

/**
 * A statement outran its `timeoutMs` and the server did not stop it in time (or could not be asked
 * to), so havuz dropped the connection. `connectionLost` tells the engine not to reuse it.
 */
export class StatementTimeoutError extends HavuzError {
  readonly timeoutMs: number;
  readonly connectionLost: boolean;
  constructor(timeoutMs: number, connectionLost: boolean) {
    super(
      'HAVUZ_STATEMENT_TIMEOUT',
      `Statement timed out after ${timeoutMs} ms` + (connectionLost ? '; its connection was closed' : ''),
    );
    this.timeoutMs = timeoutMs;
    this.connectionLost = connectionLost;
  }
}
