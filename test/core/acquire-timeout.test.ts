import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AcquireTimeoutError } from '../../src/core/errors.js';
import { flush, rejectsWith, setup, track } from '../support/harness.js';

test('an acquire that cannot be served fails after exactly acquireTimeoutMs, naming the pool and its state', async () => {
  const { pool, clock } = setup({ name: 'orders', size: 1, acquireTimeoutMs: 1000 });
  await pool.acquire();
  const waiting = track(pool.acquire());
  await clock.advance(999);
  assert.equal(waiting.state, 'pending', 'not a millisecond early');
  await clock.advance(1);
  assert.equal(waiting.state, 'rejected');
  const error = waiting.error;
  assert.ok(error instanceof AcquireTimeoutError);
  assert.equal(error.code, 'HAVUZ_ACQUIRE_TIMEOUT');
  assert.match(error.message, /1000 ms/);
  assert.match(error.message, /"orders"/);
  assert.match(error.message, /size 1\/1, idle 0, in use 1/);
  assert.equal(error.cause, undefined, 'no connect failed, so no cause');
  assert.equal(pool.status().counters.timeouts, 1);
  assert.equal(pool.status().pending, 0, 'a timed-out waiter leaves the queue');
});

test('waiters with the default deadline each expire at their own time', async () => {
  const { pool, clock } = setup({ size: 1, acquireTimeoutMs: 1000 });
  await pool.acquire();
  const first = track(pool.acquire());
  await clock.advance(300);
  const second = track(pool.acquire());
  await clock.advance(700);
  assert.deepEqual([first.state, second.state], ['rejected', 'pending']);
  await clock.advance(299);
  assert.equal(second.state, 'pending');
  await clock.advance(1);
  assert.equal(second.state, 'rejected');
});

test('a per-call timeoutMs overrides the default for that call only', async () => {
  const { pool, clock } = setup({ size: 1, acquireTimeoutMs: 1000 });
  await pool.acquire();
  const patient = track(pool.acquire());
  const short = track(pool.acquire({ timeoutMs: 50 }));
  const long = track(pool.acquire({ timeoutMs: 5000 }));
  await clock.advance(50);
  assert.deepEqual([patient.state, short.state, long.state], ['pending', 'rejected', 'pending']);
  await clock.advance(950);
  assert.deepEqual([patient.state, long.state], ['rejected', 'pending']);
  await clock.advance(4000);
  assert.equal(long.state, 'rejected');
  assert.equal(clock.refed, 0, 'no timer left that would keep the process alive');
});

test('a released connection skips timed-out waiters and goes to the next one', async () => {
  const { pool, clock } = setup({ size: 1, acquireTimeoutMs: 1000 });
  const lease = await pool.acquire();
  const gone = track(pool.acquire({ timeoutMs: 10 }));
  const next = track(pool.acquire());
  await clock.advance(10);
  assert.equal(gone.state, 'rejected');
  lease.release();
  await flush();
  assert.equal(next.state, 'fulfilled');
});

test('a served waiter leaves no timer behind to fire later', async () => {
  const { pool, clock } = setup({ size: 1, acquireTimeoutMs: 1000 });
  const lease = await pool.acquire();
  const next = track(pool.acquire({ timeoutMs: 500 }));
  lease.release();
  await flush();
  assert.equal(next.state, 'fulfilled');
  assert.equal(clock.refed, 0, 'its own deadline timer was cleared');
  await clock.advance(2000);
  assert.equal(pool.status().counters.timeouts, 0);
  assert.equal(next.value!.released, false);
});

test('timeoutMs must be a positive number a timer can hold, or Infinity', async () => {
  const { pool } = setup();
  for (const timeoutMs of [0, -1, NaN, 2 ** 31, 3e9, -Infinity, '100']) {
    const error = await rejectsWith(pool.acquire({ timeoutMs: timeoutMs as number }), 'HAVUZ_INVALID_OPTION');
    assert.match(error.message, /timeoutMs/);
  }
  await rejectsWith(pool.acquire({ timeout: 5 } as never), 'HAVUZ_INVALID_OPTION');
});
