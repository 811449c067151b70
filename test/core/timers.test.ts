import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, setup, track, withIdleConnection } from '../support/harness.js';

// Whatever the pool does, once nobody waits no ref'd timer may be left: it would keep the
// process from exiting (the fake clock tracks ref/unref like Node's timers).

test('an idle pool with every timed feature on holds no ref\'d timer', async () => {
  const { pool, clock } = setup({ minIdle: 2, idleTimeoutMs: 1_000, maxLifetimeMs: 5_000, leakDetectionMs: 1_000, prePing: true });
  await flush();
  await pool.use(() => undefined);
  await clock.advance(10_000);
  assert.ok(clock.pending > 0, 'the housekeeper is scheduled');
  assert.equal(clock.refed, 0);
});

test('a waiting acquire keeps the process alive until it is served, then not', async () => {
  const { pool, clock } = setup({ size: 1 });
  const lease = await pool.acquire();
  const waiting = track(pool.acquire());
  await flush();
  assert.ok(clock.refed >= 1, 'someone is waiting: the deadline timer holds the process');
  lease.release();
  await flush();
  assert.equal(waiting.state, 'fulfilled');
  assert.equal(clock.refed, 0);
});

test('a pre-pinged checkout of an idle connection leaves no ref\'d timer', async () => {
  // Idle longer than acquireTimeoutMs, so the shared deadline timer has run out and is made anew.
  const { pool, clock, factory } = await withIdleConnection({ acquireTimeoutMs: 1_000 }, new FakeFactory(), 5_000);
  await pool.acquire();
  assert.equal(factory.count('validate'), 1);
  assert.equal(clock.refed, 0);
});

test('connect retries during an outage do not keep an idle process alive', async () => {
  const factory = new FakeFactory({ failCreates: Infinity });
  const { pool, clock } = setup({ minIdle: 1 }, factory);
  await clock.advance(1_000);
  assert.ok(factory.attempts > 1, 'it keeps retrying');
  assert.equal(clock.refed, 0);
  await pool.close();
});

test('close clears every timer', async () => {
  const { pool, clock } = setup({ minIdle: 1, idleTimeoutMs: 1_000, leakDetectionMs: 500, failFast: false });
  await flush();
  const held = await pool.acquire();
  void pool.acquire({ timeoutMs: 50_000 }).catch(() => undefined);
  await pool.terminate();
  assert.equal(clock.pending, 0);
  assert.equal(held.released, false);
});
