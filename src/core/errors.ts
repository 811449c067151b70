import type { PoolStatus } from './stats.js';

/**
 * Every error havuz throws, in one place, each with a stable `code` callers can branch on without
 * parsing messages (undici keeps its errors in one lib/core/errors.js the same way). Driver errors
 * are never replaced: where havuz wraps one, it is the `cause`.
 */
export const ErrorCodes = [
  'HAVUZ_INVALID_OPTION',
  'HAVUZ_INVALID_URL',
  'HAVUZ_ACQUIRE_TIMEOUT',
  'HAVUZ_ACQUIRE_ABORTED',
  'HAVUZ_POOL_CLOSED',
  'HAVUZ_POOL_DRAINING',
  'HAVUZ_CREATE_FAILED',
  'HAVUZ_QUEUE_FULL',
  'HAVUZ_LEASE_RELEASED',
  'HAVUZ_FOREIGN_LEASE',
  'HAVUZ_CONCURRENT_CHECKOUT',
  'HAVUZ_DRIVER_MISSING',
  'HAVUZ_DATABASE_ERROR',
  'HAVUZ_STATEMENT_TIMEOUT',
  'HAVUZ_CONNECTION_LOST',
  'HAVUZ_HEALTH_TIMEOUT',
  'HAVUZ_UNHEALTHY',
  'HAVUZ_EMBEDDED_POSTGRES',
  'HAVUZ_USAGE',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

export class HavuzError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An option, argument or URL parameter was unknown, of the wrong type or out of range. Names it and the value. */
export class InvalidOptionError extends HavuzError {
  readonly option: string;
  constructor(option: string, value: unknown, expected: string) {
    super('HAVUZ_INVALID_OPTION', `Invalid option ${option}: ${describeValue(value)} (expected ${expected})`);
    this.option = option;
  }
}

/** A database URL could not be parsed. The message shows it with the password redacted (by the caller). */
export class InvalidUrlError extends HavuzError {
  constructor(redactedUrl: string, reason: string) {
    super('HAVUZ_INVALID_URL', `Invalid database URL "${redactedUrl}": ${reason}`);
  }
}

/** Waited longer than the acquire timeout. `cause` is the last connect error, if there was one. */
export class AcquireTimeoutError extends HavuzError {
  readonly status: PoolStatus;
  constructor(message: string, status: PoolStatus, cause: unknown) {
    super('HAVUZ_ACQUIRE_TIMEOUT', message, cause === undefined ? undefined : { cause });
    this.status = status;
  }
}

export class AcquireAbortedError extends HavuzError {
  constructor(pool: string, reason: unknown) {
    super('HAVUZ_ACQUIRE_ABORTED', `Acquire from pool "${pool}" was aborted`, { cause: reason });
  }
}

export class PoolClosedError extends HavuzError {
  constructor(pool: string, detail = 'is closed') {
    super('HAVUZ_POOL_CLOSED', `Pool "${pool}" ${detail}`);
  }
}

/** close({ drain: true }) reached its deadline with this acquire still unserved. */
export class PoolDrainingError extends HavuzError {
  constructor(pool: string, timeoutMs: number) {
    super('HAVUZ_POOL_DRAINING', `Pool "${pool}" closed after draining for ${timeoutMs} ms before this acquire was served`);
  }
}

/**
 * The factory could not open a connection (or its init hook failed). `cause` is the original
 * error; `timedOut` says the pool gave up on it after createTimeoutMs.
 */
export class CreateFailedError extends HavuzError {
  readonly timedOut: boolean;
  /** 'init': the connection opened, then the factory's init (initSql, onConnect) failed on it. */
  readonly phase: 'create' | 'init';
  constructor(pool: string, cause: unknown, options: { phase?: 'create' | 'init'; timedOut?: boolean } = {}) {
    const what = options.phase === 'init' ? 'could not initialise a new connection' : 'could not open a connection';
    super('HAVUZ_CREATE_FAILED', `Pool "${pool}" ${what}: ${messageOf(cause)}`, { cause });
    this.timedOut = options.timedOut ?? false;
    this.phase = options.phase ?? 'create';
  }
}

export class QueueFullError extends HavuzError {
  constructor(pool: string, maxWaiters: number) {
    super(
      'HAVUZ_QUEUE_FULL',
      maxWaiters === 0
        ? `Pool "${pool}" has no free connection and queues no acquires (maxWaiters 0)`
        : `Pool "${pool}" has ${maxWaiters} waiters already (maxWaiters)`,
    );
  }
}

/** A lease was used after release, released twice, or handed to a pool that does not own it. */
export class LeaseError extends HavuzError {
  constructor(code: 'HAVUZ_LEASE_RELEASED' | 'HAVUZ_FOREIGN_LEASE', message: string) {
    super(code, message);
  }
}

/** AssertionPool: a second checkout while the first is held. The message names the first holder. */
export class ConcurrentCheckoutError extends HavuzError {
  constructor(pool: string, holderStack: string | undefined) {
    super(
      'HAVUZ_CONCURRENT_CHECKOUT',
      `Pool "${pool}" allows one checkout at a time and it is held` + (holderStack ? `; first checked out at:\n${holderStack}` : ''),
    );
  }
}

/** The database package for a URL's scheme is not installed. */
export class DriverMissingError extends HavuzError {
  constructor(packageName: string, dialect: string) {
    super('HAVUZ_DRIVER_MISSING', `The ${dialect} driver needs the "${packageName}" package: npm install ${packageName}`);
  }
}

/**
 * The database rejected a statement. `serverCode` is the server's own code (SQLSTATE `23505`,
 * MySQL `ER_DUP_ENTRY`); `cause` is the driver's error, untouched.
 */
export class DatabaseError extends HavuzError {
  readonly serverCode: string | undefined;
  constructor(cause: unknown, serverCode: string | undefined, code: ErrorCode = 'HAVUZ_DATABASE_ERROR', message = messageOf(cause)) {
    super(code, message, { cause });
    this.serverCode = serverCode;
  }
}

export interface StatementTimeoutDetails {
  /** The deadline that passed, when havuz set it (statementTimeoutMs); undefined for the server's own statement_timeout. */
  timeoutMs?: number | undefined;
  /** The statement did not stop in time and havuz dropped its connection: it is never reused. */
  connectionLost?: boolean;
  /** The driver's error (PostgreSQL 57014, MySQL 3024 / 1969), when the server cancelled it. */
  cause?: unknown;
  serverCode?: string | undefined;
}

/**
 * A statement ran past its timeout. When the server stopped it, the connection stays usable; when
 * it did not stop in time, havuz dropped the connection (`connectionLost`).
 */
export class StatementTimeoutError extends DatabaseError {
  readonly timeoutMs: number | undefined;
  readonly connectionLost: boolean;
  constructor(details: StatementTimeoutDetails) {
    const { timeoutMs, connectionLost = false, cause, serverCode } = details;
    const message =
      (timeoutMs === undefined ? `Statement timed out (${messageOf(cause)})` : `Statement timed out after ${timeoutMs} ms`) +
      (connectionLost ? '; its connection was closed' : '');
    super(cause, serverCode, 'HAVUZ_STATEMENT_TIMEOUT', message);
    this.timeoutMs = timeoutMs;
    this.connectionLost = connectionLost;
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

/** A health check's probe did not answer within its timeout. */
export class HealthTimeoutError extends HavuzError {
  constructor(timeoutMs: number) {
    super('HAVUZ_HEALTH_TIMEOUT', `health check timed out after ${timeoutMs} ms`);
  }
}

/**
 * A health check found a database unhealthy (or degraded, where the caller counts that as down).
 * `causes` is the check's result, for frameworks that show it (NestJS Terminus reads it).
 */
export class UnhealthyError extends HavuzError {
  readonly causes: unknown;
  readonly isHealthCheckError = true;
  constructor(message: string, causes: unknown) {
    super('HAVUZ_UNHEALTHY', message);
    this.causes = causes;
  }
}

/** The embedded PostgreSQL used by `havuz bench` could not be set up, started or stopped. */
export class EmbeddedPostgresError extends HavuzError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HAVUZ_EMBEDDED_POSTGRES', message, options);
  }
}

/** Bad input to the CLI: flags, URL, SQL, an unreachable database. It exits with code 2 and one line. */
export class UsageError extends HavuzError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HAVUZ_USAGE', message, options);
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A value as an error message may show it: strings quoted, objects named by kind (never dumped: they may hold secrets). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
