import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flush, setup } from '../support/harness.js';

async function nextAfterReleasing(order: 'lifo' | 'fifo' | undefined): Promise<{ ids: number[]; next: number }> {
  const { pool } = setup({ size: 3, maxConnecting: 3, ...(order ? { order } : {}) });
  const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  const ids = leases.map((l) => l.connectionId);
  for (const lease of leases) {
    lease.release();
    await flush();
  }
  return { ids, next: (await pool.acquire()).connectionId };
}

test('lifo hands out the most recently returned connection', async () => {
  const { ids, next } = await nextAfterReleasing('lifo');
  assert.equal(next, ids[2]);
});

test('fifo hands out the connection idle longest', async () => {
  const { ids, next } = await nextAfterReleasing('fifo');
  assert.equal(next, ids[0]);
});

test('lifo is the default, so a quiet pool keeps using few connections and lets the rest time out', async () => {
  const { ids, next } = await nextAfterReleasing(undefined);
  assert.equal(next, ids[2]);
});
