import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatusAddsUp, flush, setup, track } from '../support/harness.js';

test('opens up to size + maxOverflow under load, then waits', async () => {
  const { pool, factory } = setup({ size: 2, maxOverflow: 2 });
  const leases = await Promise.all(Array.from({ length: 4 }, () => pool.acquire()));
  const fifth = track(pool.acquire());
  await flush();
  assert.equal(fifth.state, 'pending');
  assert.equal(factory.attempts, 4);
  assert.deepEqual({ size: pool.status().size, overflow: pool.status().overflow, max: pool.status().max }, { size: 4, overflow: 2, max: 4 });
  leases[0]!.release();
  await flush();
  assert.equal(fifth.state, 'fulfilled', 'an overflow connection goes to a waiter before it is closed');
  assert.equal(factory.destroyed, 0);
});

test('overflow connections close on return when nobody waits; the first size stay', async () => {
  const { pool, factory } = setup({ size: 2, maxOverflow: 3 });
  const reasons: string[] = [];
  pool.on('close', (e) => reasons.push(e.reason));
  const leases = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
  for (const lease of leases) lease.release();
  await flush();
  assert.deepEqual(reasons, ['overflow', 'overflow', 'overflow']);
  assert.deepEqual([pool.status().size, pool.status().idle, pool.status().overflow], [2, 2, 0]);
  assert.equal(factory.open, 2);
  assertStatusAddsUp(pool, factory);
});

test('maxOverflow: Infinity never makes anyone wait', async () => {
  const { pool, factory } = setup({ size: 1, maxOverflow: Infinity, maxConnecting: 50 });
  const leases = await Promise.all(Array.from({ length: 50 }, () => pool.acquire()));
  assert.equal(factory.created, 50);
  assert.equal(pool.status().pending, 0);
  for (const lease of leases) lease.release();
  await flush();
  assert.equal(pool.status().size, 1);
});
