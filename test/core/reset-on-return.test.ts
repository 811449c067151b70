import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferred, FakeFactory } from '../support/fake-factory.js';
import { flush, setup, track } from '../support/harness.js';

test('reset runs on every return and the connection is idle only once it finished', async () => {
  const gate = deferred();
  const factory = new FakeFactory({ onReset: () => gate.promise });
  const { pool } = setup({ size: 1 }, factory);
  const resets: number[] = [];
  pool.on('reset', (e) => resets.push(e.id));
  const lease = await pool.acquire();
  const id = lease.connectionId;
  lease.release();
  await flush();
  assert.equal(factory.count('reset'), 1);
  assert.deepEqual([pool.status().idle, pool.status().inUse], [0, 1], 'still busy while resetting');
  const next = track(pool.acquire());
  await flush();
  assert.equal(next.state, 'pending', 'nobody gets a connection that is mid-reset');
  gate.resolve();
  await flush();
  assert.equal(next.state, 'fulfilled');
  assert.equal(next.value!.connectionId, id);
  assert.deepEqual(resets, [id]);
});

test('a throwing reset invalidates the connection instead of returning it', async () => {
  const factory = new FakeFactory({ onReset: () => Promise.reject(new Error('ROLLBACK failed')) });
  const { pool, clock } = setup({ size: 1 }, factory);
  const seen: string[] = [];
  pool.on('invalidate', (e) => seen.push(`invalidate ${(e.reason as Error).message}`));
  pool.on('close', (e) => seen.push(`close ${e.reason}`));
  pool.on('connection-error', (e) => seen.push(`error ${e.phase}`));
  const lease = await pool.acquire();
  const id = lease.connectionId;
  lease.release();
  await flush();
  assert.deepEqual(seen, ['error reset', 'invalidate ROLLBACK failed', 'close reset-failed']);
  assert.equal(factory.destroyed, 1);
  const next = track(pool.acquire());
  await clock.advance(125); // a failed reset counts as a failure for the connect backoff
  assert.notEqual(next.value!.connectionId, id);
});

test('a synchronously throwing reset is handled the same way', async () => {
  const factory = new FakeFactory({
    onReset: () => {
      throw new Error('boom');
    },
  });
  const { pool } = setup({ size: 1 }, factory);
  (await pool.acquire()).release();
  await flush();
  assert.deepEqual([factory.destroyed, pool.status().size], [1, 0]);
});

test('a reset that hangs is abandoned after validateTimeoutMs and the waiter gets a new connection', async () => {
  const factory = new FakeFactory({ onReset: () => new Promise(() => undefined) });
  const { pool, clock } = setup({ size: 1, validateTimeoutMs: 300 }, factory);
  const lease = await pool.acquire();
  const id = lease.connectionId;
  const next = track(pool.acquire());
  lease.release();
  await clock.advance(300 + 125); // the reset's timeout, then the connect backoff
  assert.equal(next.state, 'fulfilled');
  assert.notEqual(next.value!.connectionId, id);
});

test('resetOnReturn: false skips the reset', async () => {
  const { pool, factory } = setup({ resetOnReturn: false });
  (await pool.acquire()).release();
  assert.equal(pool.status().idle, 1, 'idle at once, with no reset to wait for');
  assert.equal(factory.count('reset'), 0);
});

test('a connection retired while its reset runs (invalidateAll, lifetime) is closed, not handed to the waiter', async () => {
  const gate = deferred();
  const factory = new FakeFactory({ onReset: () => gate.promise });
  const { pool } = setup({ size: 1 }, factory);
  const lease = await pool.acquire();
  const id = lease.connectionId;
  const next = track(pool.acquire());
  lease.release();
  await pool.invalidateAll();
  gate.resolve();
  await flush();
  assert.equal(next.state, 'fulfilled');
  assert.notEqual(next.value!.connectionId, id, 'opened before invalidateAll: must not be reused');
  assert.equal(factory.destroyed, 1);
});
