import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatusAddsUp, flush, setup, track } from '../support/harness.js';

test('opens connections lazily, one per concurrent acquire, up to size', async () => {
  const { pool, factory } = setup({ size: 3 });
  assert.equal(factory.attempts, 0, 'nothing opened before the first acquire');
  const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  assert.equal(factory.created, 3);
  assert.equal(new Set(leases.map((l) => l.connectionId)).size, 3, 'three distinct connections');
  assertStatusAddsUp(pool, factory);
  assert.deepEqual([pool.status().size, pool.status().inUse], [3, 3]);
});

test('a fourth acquire waits for a release instead of opening a fourth connection', async () => {
  const { pool, factory } = setup({ size: 3 });
  const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  const fourth = track(pool.acquire());
  await flush();
  assert.equal(fourth.state, 'pending');
  assert.equal(factory.attempts, 3);
  assert.equal(pool.status().pending, 1);
  const freed = leases[1]!.connectionId;
  leases[1]!.release();
  await flush();
  assert.equal(fourth.state, 'fulfilled');
  assert.equal(fourth.value!.connectionId, freed, 'the waiter gets the released connection');
  assert.equal(factory.created, 3);
  assertStatusAddsUp(pool, factory);
});

test('released connections are reused, not reopened', async () => {
  const { pool, factory } = setup({ size: 2 });
  for (let i = 0; i < 20; i++) await pool.use(() => undefined);
  await flush();
  assert.equal(factory.created, 1, 'sequential use needs one connection');
  assert.equal(pool.status().idle, 1);
  assert.equal(pool.status().counters.acquired, 20);
  assert.equal(pool.status().counters.released, 20);
});

test('size 1 serialises every user of the pool', async () => {
  const { pool, factory } = setup({ size: 1 });
  let active = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 10 }, () =>
      pool.use(async () => {
        most = Math.max(most, ++active);
        await flush();
        active--;
      }),
    ),
  );
  assert.equal(most, 1);
  assert.equal(factory.created, 1);
});
