import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateFailedError } from '../../src/core/errors.js';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, setup, track } from '../support/harness.js';

/**
 * failFast: a pool that never connected fails at once (a wrong address shows at the first
 * acquire); a pool that was connected rides out a restart shorter than failFastAfterMs with no
 * waiter failing, and fails fast only once the outage has lasted that long.
 */

/** A size-2 pool that has been connected, with both connections open and then broken (the server went away). */
async function afterServerWentAway(options = {}) {
  const factory = new FakeFactory();
  const kit = setup({ size: 2, acquireTimeoutMs: 30_000, ...options }, factory);
  const leases = await Promise.all([kit.pool.acquire(), kit.pool.acquire()]);
  for (const lease of leases) lease.release();
  await flush();
  factory.failCreates = Infinity;
  for (const connection of [...factory.live]) connection.break(new Error('terminating connection due to administrator command'));
  await flush();
  assert.equal(kit.pool.status().size, 0);
  return { ...kit, factory };
}

test('never connected: the first failed connect rejects the waiters at once with the driver error as cause', async () => {
  const factory = new FakeFactory({ failCreates: Infinity });
  const { pool } = setup({ size: 2 }, factory);
  const acquired = track(pool.acquire());
  await flush();
  assert.equal(acquired.state, 'rejected');
  assert.ok(acquired.error instanceof CreateFailedError);
  assert.match((acquired.error.cause as Error).message, /ECONNREFUSED/);
  assert.equal(pool.status().counters.failedFast, 1);
});

test('a restart shorter than failFastAfterMs fails no waiter; they are served within a retry of the return', async () => {
  const { pool, clock, factory } = await afterServerWentAway();
  const waiting = Array.from({ length: 20 }, () => track(pool.acquire()));
  await clock.advance(2_000); // a 2 s stop/start
  assert.ok(waiting.every((w) => w.state === 'pending'), 'nobody failed while the server was away');
  factory.failCreates = 0;
  const back = clock.now();
  await clock.advance(125);
  const served = waiting.filter((w) => w.state === 'fulfilled');
  assert.ok(served.length >= 1, `served within 125 ms of the server's return (${served.length})`);
  assert.ok(clock.now() - back <= 125);
  for (const w of served) w.value!.release();
  await clock.advance(1_000);
  // Two connections serve twenty waiters one after another.
  for (let i = 0; i < 20; i++) {
    for (const w of waiting) if (w.state === 'fulfilled' && !w.value!.released) w.value!.release();
    await flush();
  }
  assert.ok(waiting.every((w) => w.state === 'fulfilled'), 'every waiter got a connection');
  assert.equal(pool.status().counters.failedFast, 0);
});

test('a sustained outage fails waiters fast once it has lasted failFastAfterMs, and new acquires at the next attempt', async () => {
  const { pool, clock, factory } = await afterServerWentAway({ failFastAfterMs: 5_000 });
  const early = track(pool.acquire());
  await clock.advance(4_900);
  assert.equal(early.state, 'pending', 'within the window: still waiting');
  await clock.advance(300);
  assert.equal(early.state, 'rejected', 'past the window: rejected at the next failed attempt');
  assert.equal(early.error.code, 'HAVUZ_CREATE_FAILED');
  assert.match((early.error.cause as Error).message, /ECONNREFUSED/);
  const late = track(pool.acquire());
  await clock.advance(125);
  assert.equal(late.state, 'rejected', 'a new acquire during the outage fails within one retry, not after acquireTimeoutMs');
  factory.failCreates = 0;
  const again = track(pool.acquire());
  await clock.advance(125);
  assert.equal(again.state, 'fulfilled', 'and the pool recovers on its own');
});

test('connect attempts during an outage stay at or under 10 a second', async () => {
  const { pool, clock, factory } = await afterServerWentAway();
  const before = factory.attempts;
  const waiting = Array.from({ length: 50 }, () => track(pool.acquire()));
  await clock.advance(10_000);
  const attempts = factory.attempts - before;
  assert.ok(attempts <= 100 + 2, `${attempts} attempts in 10 s`);
  assert.ok(attempts >= 70, `${attempts} attempts in 10 s: it keeps trying`);
  assert.ok(waiting.every((w) => w.state === 'pending'));
  await pool.close({ timeoutMs: 0 });
});

test('failFast: false never rejects early: waiters time out with the last connect error as cause', async () => {
  const { pool, clock } = await afterServerWentAway({ failFast: false, acquireTimeoutMs: 2_000, failFastAfterMs: 0 });
  const acquired = track(pool.acquire());
  await clock.advance(2_000);
  assert.equal(acquired.state, 'rejected');
  assert.equal(acquired.error.code, 'HAVUZ_ACQUIRE_TIMEOUT');
  assert.match((acquired.error.cause as Error).message, /ECONNREFUSED/);
});

test('failFastAfterMs: 0 is the old behaviour: the first failure with nothing open rejects the waiters', async () => {
  const { pool, clock } = await afterServerWentAway({ failFastAfterMs: 0 });
  const acquired = track(pool.acquire());
  await clock.advance(1);
  assert.equal(acquired.state, 'rejected');
  assert.equal(acquired.error.code, 'HAVUZ_CREATE_FAILED');
});
