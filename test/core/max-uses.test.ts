import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flush, setup } from '../support/harness.js';

test('a connection is closed after maxUses checkouts and the next checkout gets a new one', async () => {
  const { pool, factory } = setup({ size: 1, maxUses: 3 });
  const reasons: string[] = [];
  pool.on('close', (e) => reasons.push(e.reason));
  const ids: number[] = [];
  for (let i = 0; i < 7; i++) await pool.use((_c, lease) => ids.push(lease.connectionId));
  await flush();
  const [a, b, c] = [ids[0], ids[3], ids[6]];
  assert.deepEqual(ids, [a, a, a, b, b, b, c]);
  assert.equal(new Set([a, b, c]).size, 3);
  assert.deepEqual(reasons, ['max-uses', 'max-uses']);
  assert.equal(factory.created, 3);
});

test('a connection at its last use is replaced for a waiter', async () => {
  const { pool } = setup({ size: 1, maxUses: 1 });
  const lease = await pool.acquire();
  const id = lease.connectionId;
  const next = pool.acquire();
  lease.release();
  assert.notEqual((await next).connectionId, id);
});

test('maxUses 0 reuses a connection without limit', async () => {
  const { pool, factory } = setup({ size: 1, maxUses: 0 });
  for (let i = 0; i < 100; i++) await pool.use(() => undefined);
  assert.equal(factory.created, 1);
});
