import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { AcquireAbortedError } from '../../src/core/errors.js';
import { flush, heldPing, rejectsWith, setup, track, withIdleConnection } from '../support/harness.js';

test('an already aborted signal rejects at once and opens nothing', async () => {
  const { pool, factory } = setup();
  const reason = new Error('user went away');
  const error = await rejectsWith(pool.acquire({ signal: AbortSignal.abort(reason) }), 'HAVUZ_ACQUIRE_ABORTED');
  assert.ok(error instanceof AcquireAbortedError);
  assert.equal(error.cause, reason);
  assert.equal(factory.attempts, 0);
  assert.equal(pool.status().counters.aborted, 1);
});

test('aborting a waiting acquire rejects it, takes it out of the queue and removes the listener', async () => {
  const { pool } = setup({ size: 1 });
  const lease = await pool.acquire();
  const controller = new AbortController();
  const aborted = track(pool.acquire({ signal: controller.signal }));
  const next = track(pool.acquire());
  await flush();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  controller.abort('stop');
  await flush();
  assert.equal(aborted.state, 'rejected');
  assert.equal(aborted.error.code, 'HAVUZ_ACQUIRE_ABORTED');
  assert.equal(aborted.error.cause, 'stop');
  assert.equal(pool.status().pending, 1);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  lease.release();
  await flush();
  assert.equal(next.state, 'fulfilled', 'the connection skips the aborted waiter');
});

test('aborting after the acquire resolved changes nothing and the listener is gone', async () => {
  const { pool } = setup({ size: 1 });
  const held = await pool.acquire();
  const controller = new AbortController();
  const pending = pool.acquire({ signal: controller.signal });
  held.release();
  const lease = await pending;
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  controller.abort();
  await flush();
  assert.equal(lease.released, false);
  assert.equal(pool.status().counters.aborted, 0);
  assert.equal(pool.status().inUse, 1);
});

test('aborting while the connection is being pinged returns the connection to the pool', async () => {
  const { ping, factory: pinging } = heldPing();
  const { pool, factory } = await withIdleConnection({}, pinging);
  const controller = new AbortController();
  const aborted = track(pool.acquire({ signal: controller.signal }));
  await flush();
  assert.equal(factory.count('validate'), 1);
  controller.abort();
  await flush();
  assert.equal(aborted.state, 'rejected');
  ping.resolve(true);
  await flush();
  assert.deepEqual([pool.status().idle, pool.status().inUse], [1, 0]);
  const again = await pool.acquire({ timeoutMs: 100 });
  assert.ok(again);
});

test('a signal that is not an AbortSignal is an invalid option', async () => {
  const { pool } = setup();
  await rejectsWith(pool.acquire({ signal: {} as AbortSignal }), 'HAVUZ_INVALID_OPTION');
});
