import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeFactory } from '../support/fake-factory.js';
import { assertStatusAddsUp, flush, setup } from '../support/harness.js';

test('a pool with minIdle opens that many connections at once, before any acquire', async () => {
  const { pool, factory } = setup({ size: 5, minIdle: 3 });
  await flush();
  assert.equal(factory.created, 3, 'maxConnecting 2 does not stop the third');
  assert.deepEqual([pool.status().idle, pool.status().inUse], [3, 0]);
  assertStatusAddsUp(pool, factory);
});

test('the first acquires are served from the warm connections without a connect', async () => {
  const { pool, factory } = setup({ size: 5, minIdle: 2 });
  await flush();
  await Promise.all([pool.acquire(), pool.acquire()]);
  assert.equal(factory.attempts, 2);
});

test('connections lost below minIdle are replaced by the housekeeper', async () => {
  const { pool, clock, factory } = setup({ size: 5, minIdle: 2, housekeepingMs: 100, maxLifetimeMs: 1_000, maxLifetimeJitter: 0 });
  await flush();
  await clock.advance(1_000);
  await flush();
  assert.equal(factory.destroyed, 2, 'both expired');
  assert.deepEqual([pool.status().idle, factory.open], [2, 2], 'and both were replaced');
});

test('minIdle tops up when the warm connections are checked out, within max', async () => {
  const { pool, clock, factory } = setup({ size: 3, minIdle: 2, housekeepingMs: 100 });
  await flush();
  await Promise.all([pool.acquire(), pool.acquire()]);
  await clock.advance(100);
  assert.equal(factory.created, 3, 'capped by size');
  assert.equal(pool.status().idle, 1);
});

test('a failing warm-up backs off and retries until minIdle is reached', async () => {
  const factory = new FakeFactory({ failCreates: 3 });
  const { pool, clock } = setup({ size: 5, minIdle: 2, createBackoffMs: 100, createBackoffMaxMs: 1_000 }, factory);
  await flush();
  assert.equal(factory.created, 0);
  await clock.advance(2_000);
  assert.equal(pool.status().idle, 2);
  assert.equal(pool.status().counters.createErrors, 3);
});

test('minIdle never opens overflow connections, which would close on return and reopen without end', async () => {
  const { pool, clock, factory } = setup({ size: 1, maxOverflow: 1, minIdle: 1, housekeepingMs: 100 });
  await flush();
  await pool.acquire();
  await clock.advance(1_000);
  assert.deepEqual([factory.attempts, factory.destroyed], [1, 0]);
  assert.ok(await pool.acquire(), 'overflow is still there for a caller');
});
