import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueFullError } from '../../src/core/errors.js';
import { flush, rejectsWith, setup, track } from '../support/harness.js';

test('an acquire beyond maxWaiters is rejected at once with HAVUZ_QUEUE_FULL', async () => {
  const { pool } = setup({ name: 'q', size: 1, maxWaiters: 2 });
  const lease = await pool.acquire();
  const waiting = [track(pool.acquire()), track(pool.acquire())];
  const error = await rejectsWith(pool.acquire(), 'HAVUZ_QUEUE_FULL');
  assert.ok(error instanceof QueueFullError);
  assert.match(error.message, /"q" has 2 waiters/);
  assert.equal(pool.status().counters.rejected, 1);
  assert.equal(pool.status().pending, 2);
  lease.release();
  await flush();
  assert.deepEqual(waiting.map((w) => w.state), ['fulfilled', 'pending']);
  const third = track(pool.acquire());
  await flush();
  assert.equal(third.state, 'pending', 'a freed place in the queue can be taken again');
});

test('waiters that gave up free their place in the queue', async () => {
  const { pool, clock } = setup({ size: 1, maxWaiters: 1 });
  await pool.acquire();
  const gone = track(pool.acquire({ timeoutMs: 10 }));
  await clock.advance(10);
  assert.equal(gone.state, 'rejected');
  const next = track(pool.acquire());
  await flush();
  assert.equal(next.state, 'pending');
});

test('acquires served from idle connections never count against maxWaiters', async () => {
  const { pool } = setup({ size: 3, maxWaiters: 1, minIdle: 3, maxConnecting: 3 });
  await flush();
  const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  assert.equal(leases.length, 3);
  assert.equal(pool.status().counters.rejected, 0);
});

test('maxWaiters 0: connections are still opened up to the size; with none free, an acquire fails at once', async () => {
  const { pool, factory } = setup({ size: 2, maxWaiters: 0 });
  const leases = await Promise.all([pool.acquire(), pool.acquire()]);
  assert.equal(factory.created, 2, 'each acquire got a connection opened for it');
  const error = await rejectsWith(pool.acquire(), 'HAVUZ_QUEUE_FULL');
  assert.match(error.message, /queues no acquires \(maxWaiters 0\)/);
  leases[0]!.release();
  await flush();
  assert.ok(await pool.acquire(), 'a free connection is handed out');
});
