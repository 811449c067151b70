import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoolDrainingError } from '../../src/core/errors.js';
import { flush, rejectsWith, setup, track } from '../support/harness.js';

/**
 * close({ drain: true }): stop new checkouts, finish what was asked (queued acquires and the work
 * in flight), then close; what is left at the deadline fails with HAVUZ_POOL_DRAINING.
 */

test('queued acquires are still served and checked-out work finishes; new acquires fail at once', async () => {
  const { pool, factory } = setup({ size: 2 });
  const held = await Promise.all([pool.acquire(), pool.acquire()]);
  const queued = [track(pool.acquire()), track(pool.acquire()), track(pool.acquire())];
  const closed = track(pool.close({ drain: true, timeoutMs: 10_000 }));
  const late = await rejectsWith(pool.acquire(), 'HAVUZ_POOL_CLOSED');
  assert.match(late.message, /is closing \(draining\)/);
  for (const lease of held) lease.release();
  await flush();
  assert.deepEqual(queued.map((q) => q.state), ['fulfilled', 'fulfilled', 'pending'], 'served in order as connections come back');
  queued[0]!.value!.release();
  await flush();
  assert.equal(queued[2]!.state, 'fulfilled');
  assert.equal(closed.state, 'pending', 'waits for the last checkout');
  queued[1]!.value!.release();
  queued[2]!.value!.release();
  await flush();
  assert.equal(closed.state, 'fulfilled');
  assert.equal(factory.open, 0);
  assert.equal(pool.status().closed, true);
});

test('at the deadline the acquires still queued fail with HAVUZ_POOL_DRAINING and every connection closes', async () => {
  const { pool, clock, factory } = setup({ size: 1 });
  const held = await pool.acquire();
  const queued = track(pool.acquire());
  const closed = track(pool.close({ drain: true, timeoutMs: 500 }));
  await clock.advance(499);
  assert.deepEqual([queued.state, closed.state], ['pending', 'pending']);
  await clock.advance(1);
  assert.equal(queued.state, 'rejected');
  assert.ok(queued.error instanceof PoolDrainingError);
  assert.equal(queued.error.code, 'HAVUZ_POOL_DRAINING');
  assert.equal(closed.state, 'fulfilled');
  assert.equal(held.connection.destroyed, true, 'closed at the deadline, as close() without drain would');
  assert.equal(factory.open, 0);
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('draining opens connections for queued acquires when the pool has room', async () => {
  const { pool, factory } = setup({ size: 3 });
  const held = await pool.acquire();
  factory.hold = true;
  const queued = track(pool.acquire());
  await flush();
  const closed = track(pool.close({ drain: true }));
  factory.held[0]!.open();
  await flush();
  assert.equal(queued.state, 'fulfilled');
  queued.value!.release();
  held.release();
  await flush();
  assert.equal(closed.state, 'fulfilled');
  assert.equal(factory.open, 0);
});

test('without drain, close still fails queued acquires at once (the default)', async () => {
  const { pool } = setup({ size: 1 });
  const held = await pool.acquire();
  const queued = track(pool.acquire());
  const closed = track(pool.close());
  await flush();
  assert.equal(queued.error?.code, 'HAVUZ_POOL_CLOSED');
  held.release();
  await flush();
  assert.equal(closed.state, 'fulfilled');
});
