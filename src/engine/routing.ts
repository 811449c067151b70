import type { AcquireOptions } from '../core/pool.js';
import { InvalidOptionError } from '../core/errors.js';

/**
 * The routing hint every engine takes. A single-host engine has one server, which is where "a
 * replica if there is a healthy one, else the primary" leads; a topology engine sends the
 * statement to a replica. On a transaction `readOnly` also makes the transaction itself read-only.
 */
export interface RouteOptions {
  readOnly?: boolean;
}

/** `engine.connect(options)`: where to check out from, and how long to wait. */
export interface ConnectOptions extends AcquireOptions, RouteOptions {}

/** `engine.transaction(fn, options)`: as connect; `readOnly` also starts a read-only transaction. */
export interface TransactionOptions extends AcquireOptions, RouteOptions {}

/** Checks a route option bag and answers whether it asks for a replica. */
export function readOnlyOf(options: RouteOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', options, 'an object');
  const { readOnly } = options;
  if (readOnly !== undefined && typeof readOnly !== 'boolean') throw new InvalidOptionError('readOnly', readOnly, 'true or false');
  return readOnly === true;
}

/** The pool's share of connect/transaction options: everything but `readOnly`, which the pool does not know. */
export function acquireOptionsOf(options: ConnectOptions | undefined): AcquireOptions | undefined {
  if (options === undefined || !Object.hasOwn(options, 'readOnly')) return options;
  const { readOnly: _readOnly, ...rest } = options;
  return rest;
}
