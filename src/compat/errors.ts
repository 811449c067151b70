import { AcquireTimeoutError, CreateFailedError, HavuzError, LeaseError, PoolClosedError, QueueFullError } from '../core/errors.js';
import { attachHavuzError } from '../drivers/driver-error.js';

/**
 * Errors on the drop-in path are what pg-pool users' code checks for: the driver's own error
 * (`err.code === 'ECONNREFUSED'`, a SQLSTATE), or pg-pool's own wording where pg-pool makes one
 * ("timeout" is grepped for). havuz's coded error is attached (havuzErrorOf) and is the `cause`
 * of the errors havuz words itself.
 */
export function asPgPoolError(error: unknown): unknown {
  if (error instanceof AcquireTimeoutError) return worded('timeout exceeded when trying to connect', error);
  if (error instanceof PoolClosedError) return poolEnded(error);
  if (error instanceof CreateFailedError) {
    const cause = error.cause;
    if (error.timedOut) return worded('Connection terminated due to connection timeout', error);
    if (cause instanceof HavuzError) return asPgPoolError(cause);
    return attachHavuzError(cause, error);
  }
  return error;
}

/** mysql2's pool errors for the same conditions, in mysql2's words (and its ETIMEDOUT for a connect timeout). */
export function asMysqlPoolError(error: unknown, waitsForConnections: boolean): unknown {
  if (error instanceof PoolClosedError) return worded('Pool is closed.', error);
  if (error instanceof QueueFullError) return worded(waitsForConnections ? 'Queue limit reached.' : 'No connections available.', error);
  if (error instanceof CreateFailedError) {
    const cause = error.cause;
    if (error.timedOut) return Object.assign(worded('connect ETIMEDOUT', error), { errorno: 'ETIMEDOUT', code: 'ETIMEDOUT', syscall: 'connect', fatal: true });
    if (cause instanceof HavuzError) return asMysqlPoolError(cause, waitsForConnections);
    return attachHavuzError(cause, error);
  }
  return error;
}

/** pg-pool's words for connect() or query() after end(). */
export function poolEnded(havuzError: HavuzError = new PoolClosedError('pg-pool', 'is ending')): Error {
  return worded('Cannot use a pool after calling end on the pool', havuzError);
}

export function endedTwice(): Error {
  return worded('Called end on pool more than once', new PoolClosedError('pg-pool', 'was ended already'));
}

/** pg-pool's words for a second release of one checkout; it throws. */
export function releasedTwice(): Error {
  return new LeaseError('HAVUZ_LEASE_RELEASED', 'Release called on client which has already been released to the pool.');
}

function worded(message: string, havuzError: HavuzError): Error {
  return attachHavuzError(new Error(message, { cause: havuzError }), havuzError);
}

