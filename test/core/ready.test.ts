import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, rejectsWith, setup, track } from '../support/harness.js';

/** ready(): asyncpg's `await create_pool(min_size=…)` — resolves once minIdle are open, or rejects with the connect error. */

test('resolves once minIdle connections are open, not before', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool } = setup({ size: 4, minIdle: 3, maxConnecting: 3 }, factory);
  const ready = track(pool.ready());
  await flush();
  factory.held[0]!.open();
  factory.held[1]!.open();
  await flush();
  assert.equal(ready.state, 'pending');
  factory.held[2]!.open();
  await flush();
  assert.equal(ready.state, 'fulfilled');
  assert.equal(pool.status().idle, 3);
});

test('with minIdle 0 it resolves at once, opening nothing', async () => {
  const { pool, factory } = setup();
  await pool.ready();
  assert.equal(factory.attempts, 0);
});

test('rejects with the connect error (its driver error as cause) when the database cannot be reached', async () => {
  const factory = new FakeFactory({ failCreates: Infinity });
  const { pool } = setup({ size: 2, minIdle: 2 }, factory);
  const error = await rejectsWith(pool.ready(), 'HAVUZ_CREATE_FAILED');
  assert.match((error.cause as Error).message, /ECONNREFUSED/);
});

test('rejects once the pool is closed', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool } = setup({ size: 2, minIdle: 2 }, factory);
  const ready = track(pool.ready());
  await pool.close({ timeoutMs: 0 });
  await flush();
  assert.equal(ready.error?.code, 'HAVUZ_POOL_CLOSED');
  await rejectsWith(pool.ready(), 'HAVUZ_POOL_CLOSED');
});
