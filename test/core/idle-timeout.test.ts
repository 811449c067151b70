import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flush, setup } from '../support/harness.js';

const opts = { size: 5, maxConnecting: 5, idleTimeoutMs: 1_000, maxLifetimeMs: 0, housekeepingMs: 50, resetOnReturn: false };

test('idle connections close after idleTimeoutMs, longest idle first, down to minIdle', async () => {
  const { pool, clock, factory } = setup({ ...opts, minIdle: 2 });
  const leases = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
  const ids: number[] = [];
  for (const lease of leases) {
    ids.push(lease.connectionId);
    lease.release();
    await clock.advance(100);
  }
  const closed: Array<{ id: number; reason: string }> = [];
  pool.on('close', (e) => closed.push({ id: e.id, reason: e.reason }));
  await clock.advance(400);
  assert.equal(closed.length, 0, 'nothing idle long enough yet');
  await clock.advance(1_000);
  assert.deepEqual(
    closed.map((c) => c.id),
    ids.slice(0, 3),
  );
  assert.ok(closed.every((c) => c.reason === 'idle-timeout'));
  await clock.advance(10_000);
  assert.deepEqual([pool.status().idle, factory.open], [2, 2], 'minIdle connections stay however long they idle');
});

test('a connection used again before the timeout is kept', async () => {
  const { pool, clock, factory } = setup(opts);
  (await pool.acquire()).release();
  for (let i = 0; i < 5; i++) {
    await clock.advance(900);
    (await pool.acquire()).release();
  }
  assert.equal(factory.destroyed, 0);
  await clock.advance(1_050);
  assert.equal(factory.destroyed, 1);
  assert.equal(pool.status().size, 0, 'minIdle 0: the pool empties when unused');
});

test('idleTimeoutMs 0 never closes idle connections', async () => {
  const { pool, clock, factory } = setup({ ...opts, idleTimeoutMs: 0 });
  (await pool.acquire()).release();
  await clock.advance(24 * 3_600_000);
  await flush();
  assert.equal(factory.destroyed, 0);
});
