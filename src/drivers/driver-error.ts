import { HavuzError } from '../core/errors.js';

/**
 * The drop-in APIs (`havuz/compat`, an engine connection's `native` calls) hand callers the
 * driver's own error objects (pg's DatabaseError with its SQLSTATE, Node's ECONNREFUSED), so code
 * written for the driver keeps working. havuz's coded error rides along on them under this key,
 * not enumerable: JSON, logs and `util.inspect` show the driver's error as the driver made it.
 * `Symbol.for`, so two copies of havuz in one process read each other's.
 */
const havuzErrorKey = Symbol.for('havuz.error');

/** Puts `havuzError` on `driverError` (read it back with havuzErrorOf); returns `driverError`. */
export function attachHavuzError<E>(driverError: E, havuzError: HavuzError): E {
  if (typeof driverError === 'object' && driverError !== null && Object.isExtensible(driverError)) {
    Object.defineProperty(driverError, havuzErrorKey, { value: havuzError, configurable: true, writable: true, enumerable: false });
  }
  return driverError;
}

/**
 * havuz's coded error for an error a drop-in API handed out: the one attached to a driver error,
 * or the error itself when havuz raised it (no driver error existed). Undefined for plain driver
 * errors havuz had nothing to add to.
 */
export function havuzErrorOf(error: unknown): HavuzError | undefined {
  if (error instanceof HavuzError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const attached = (error as Record<symbol, unknown>)[havuzErrorKey];
  // Not instanceof: the error may come from another copy of havuz.
  return attached instanceof Error ? (attached as HavuzError) : undefined;
}
