import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrentCheckoutError } from '../../src/core/errors.js';
import { AssertionPool } from '../../src/core/pools/assertion.js';
import type { PoolOptions } from '../../src/core/options.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeFactory, type FakeConnection } from '../support/fake-factory.js';
import { rejectsWith, track } from '../support/harness.js';

function assertionPool(options: PoolOptions = {}, factory = new FakeFactory()) {
  const clock = new FakeClock();
  return { pool: new AssertionPool(factory, { clock, ...options }), factory, clock };
}

async function firstHolderFunction(pool: AssertionPool<FakeConnection>) {
  return pool.acquire();
}

test('a second checkout while the first is held fails, naming where the first was taken', async () => {
  const { pool } = assertionPool();
  const lease = await firstHolderFunction(pool);
  const error = await rejectsWith(pool.acquire(), 'HAVUZ_CONCURRENT_CHECKOUT');
  assert.ok(error instanceof ConcurrentCheckoutError);
  assert.match(error.message, /first checked out at:\n[\s\S]*firstHolderFunction/);
  lease.release();
  assert.ok(await pool.acquire(), 'free again once released');
});

test('the check also holds while the first acquire is still connecting', async () => {
  const { pool } = assertionPool({}, new FakeFactory({ hold: true }));
  void firstHolderFunction(pool);
  await rejectsWith(pool.acquire(), 'HAVUZ_CONCURRENT_CHECKOUT');
});

test('invalidating or failing to acquire frees the pool too', async () => {
  const { pool, factory, clock } = assertionPool({ failFastAfterMs: 0 });
  (await pool.acquire()).invalidate();
  factory.failCreates = 1;
  await rejectsWith(pool.acquire(), 'HAVUZ_CREATE_FAILED');
  const third = track(pool.acquire());
  await clock.advance(125); // the connect backoff
  assert.equal(third.state, 'fulfilled');
});

test('size other than 1 or any overflow is refused', () => {
  assert.throws(() => assertionPool({ size: 2 }), { code: 'HAVUZ_INVALID_OPTION', option: 'size' });
  assert.throws(() => assertionPool({ maxOverflow: 1 }), { code: 'HAVUZ_INVALID_OPTION', option: 'maxOverflow' });
  assert.equal(assertionPool({ size: 1 }).pool.status().max, 1);
});
