import { LeaseError } from '../core/errors.js';

/** What a handed-out client's `release` becomes after the first call: pg-pool throws here too. */
export function releasedTwice(): never {
  throw new LeaseError('HAVUZ_LEASE_RELEASED', 'Release called on a client that was already released to the pool');
}
