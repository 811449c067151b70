import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AcquireTimeoutError, CreateFailedError } from '../../src/core/errors.js';
import { seededRandom } from '../support/fake-clock.js';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, setup, track } from '../support/harness.js';

const backoff = { size: 1, failFast: false, createBackoffMs: 100, createBackoffMaxMs: 1_600, acquireTimeoutMs: 10_000 };

/** Times of each connect attempt while the database refuses every one. */
async function attemptTimes(seed: number): Promise<number[]> {
  const factory = new FakeFactory({ failCreates: Infinity });
  const { pool, clock } = setup({ ...backoff, random: seededRandom(seed) }, factory);
  const times: number[] = [];
  const start = clock.now();
  const create = factory.create.bind(factory);
  factory.create = (context) => (times.push(clock.now() - start), create(context));
  void pool.acquire().catch(() => undefined);
  await clock.advance(9_000);
  return times;
}

test('failed connects are retried with exponential backoff plus up to 25% jitter, up to the ceiling', async () => {
  const times = await attemptTimes(3);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  assert.ok(gaps.length >= 6, `${gaps.length} retries`);
  gaps.forEach((gap, i) => {
    const base = Math.min(1_600, 100 * 2 ** i);
    assert.ok(gap >= base && gap <= base * 1.25, `retry ${i + 1} after ${gap} ms, expected ${base}..${base * 1.25}`);
  });
  assert.ok(new Set(gaps.slice(4).map(Math.round)).size > 1, 'jittered, not a fixed ceiling');
  assert.deepEqual(await attemptTimes(3), times, 'the same seed, the same schedule');
});

test('an acquire that times out while connects fail carries the last connect error as cause, and the status', async () => {
  const factory = new FakeFactory({ failCreates: Infinity });
  factory.createError = (n) => Object.assign(new Error(`password authentication failed (attempt ${n})`), { code: '28P01' });
  const { pool, clock } = setup({ ...backoff, acquireTimeoutMs: 2_000 }, factory);
  const acquired = track(pool.acquire());
  await clock.advance(2_000);
  assert.equal(acquired.state, 'rejected');
  const error = acquired.error;
  assert.ok(error instanceof AcquireTimeoutError);
  assert.equal((error.cause as { code: string }).code, '28P01', 'the driver error itself, not a wrapper');
  assert.equal((error.cause as Error).message, `password authentication failed (attempt ${factory.attempts})`);
  assert.match(error.message, /size 0\/1, idle 0, in use 0, pending 0, connecting 0/);
  assert.match(error.message, /last connect error: password authentication failed/);
  assert.deepEqual(error.status, { ...pool.status(), counters: (error.status as { counters: unknown }).counters });
});

test('once the database is back the waiter is served and the backoff starts over', async () => {
  const factory = new FakeFactory({ failCreates: 4 });
  const { pool, clock } = setup(backoff, factory);
  const acquired = track(pool.acquire());
  await clock.advance(1_875); // 100 + 200 + 400 + 800 ms, each stretched by up to 25%
  assert.equal(acquired.state, 'fulfilled');
  assert.equal(factory.attempts, 5);
  acquired.value!.invalidate();
  factory.failCreates = 1;
  const again = track(pool.acquire());
  await flush();
  assert.equal(factory.attempts, 6);
  await clock.advance(125);
  assert.equal(again.state, 'fulfilled', 'retried within the first backoff step, not the fifth');
});

test('failFast (the default) rejects waiters at once with the connect error when nothing is open', async () => {
  const factory = new FakeFactory({ failCreates: 1 });
  const { pool, clock } = setup({ size: 2 }, factory);
  const acquired = track(pool.acquire());
  await flush();
  assert.equal(acquired.state, 'rejected');
  assert.ok(acquired.error instanceof CreateFailedError);
  assert.equal(acquired.error.code, 'HAVUZ_CREATE_FAILED');
  assert.match((acquired.error.cause as Error).message, /ECONNREFUSED/);
  const next = track(pool.acquire());
  await clock.advance(125);
  assert.equal(next.state, 'fulfilled', 'the next acquire tries again after the backoff');
});

test('failFast keeps waiters waiting while an open connection can still come back to them', async () => {
  const factory = new FakeFactory();
  const { pool } = setup({ size: 2 }, factory);
  const held = await pool.acquire();
  factory.failCreates = 1;
  const acquired = track(pool.acquire());
  await flush();
  assert.equal(acquired.state, 'pending');
  held.release();
  await flush();
  assert.equal(acquired.state, 'fulfilled');
});

test('a connect that hangs is aborted after createTimeoutMs, and a late connection is closed', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool, clock } = setup({ size: 1, createTimeoutMs: 500, failFast: false }, factory);
  const acquired = track(pool.acquire());
  await flush();
  const first = factory.held[0]!;
  await clock.advance(500);
  assert.equal(first.signal.aborted, true, 'the factory is told to give up');
  assert.match(String(first.signal.reason?.message), /timed out after 500 ms/);
  assert.equal(pool.status().counters.createErrors, 1);
  first.open();
  await flush();
  assert.deepEqual([factory.created, factory.destroyed], [1, 1], 'the late connection was closed, not leaked');
  await clock.advance(125);
  factory.held[1]!.open();
  await flush();
  assert.equal(acquired.state, 'fulfilled');
});

test('with failFast, a connect timeout rejects the waiter with HAVUZ_CREATE_FAILED', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool, clock } = setup({ size: 1, createTimeoutMs: 500 }, factory);
  const acquired = track(pool.acquire());
  await clock.advance(500);
  assert.equal(acquired.state, 'rejected');
  assert.equal(acquired.error.code, 'HAVUZ_CREATE_FAILED');
  assert.match(acquired.error.message, /timed out after 500 ms/);
});
