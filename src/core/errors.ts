import type { PoolStatus } from './stats.js';

/**
 * Every error havuz throws carries a stable `code`, so callers can branch on it without parsing
 * messages (undici's lib/core/errors.js does the same).
 */
export class HavuzError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An option was unknown, of the wrong type or out of range. Names the option and the value. */
export class InvalidOptionError extends HavuzError {
  readonly option: string;
  constructor(option: string, value: unknown, expected: string) {
    super('HAVUZ_INVALID_OPTION', `Invalid option ${option}: ${describe(value)} (expected ${expected})`);
    this.option = option;
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

export class PoolClosedError extends HavuzError {
  constructor(pool: string) {
    super('HAVUZ_POOL_CLOSED', `Pool "${pool}" is closed`);
  }
}

/** The factory could not open a connection (or its init hook failed). `cause` is the original error. */
export class CreateFailedError extends HavuzError {
  constructor(pool: string, cause: unknown) {
    super('HAVUZ_CREATE_FAILED', `Pool "${pool}" could not open a connection: ${messageOf(cause)}`, { cause });
  }
}

export class QueueFullError extends HavuzError {
  constructor(pool: string, maxWaiters: number) {
    super('HAVUZ_QUEUE_FULL', `Pool "${pool}" has ${maxWaiters} waiters already (maxWaiters)`);
  }
}

export class AcquireAbortedError extends HavuzError {
  constructor(pool: string, reason: unknown) {
    super('HAVUZ_ACQUIRE_ABORTED', `Acquire from pool "${pool}" was aborted`, { cause: reason });
  }
}

/** A lease was used after release, released twice, or handed to a pool that does not own it. */
export class LeaseError extends HavuzError {}

/** AssertionPool: a second checkout while the first is held. The message names the first holder. */
export class ConcurrentCheckoutError extends HavuzError {
  constructor(pool: string, holderStack: string | undefined) {
    super(
      'HAVUZ_CONCURRENT_CHECKOUT',
      `Pool "${pool}" allows one checkout at a time and it is held` +
        (holderStack ? `; first checked out at:\n${holderStack}` : ''),
    );
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
