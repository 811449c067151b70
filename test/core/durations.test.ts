import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from '../../src/core/pool.js';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, rejectsWith, setup, track } from '../support/harness.js';

/**
 * Node fires any timer of 2^31 ms or more after 1 ms. Every duration havuz takes is refused at
 * or above that, or means "no limit" where that makes sense (Infinity), for options, acquire()
 * and close() alike. The fake clock throws on such a delay, so any that slipped through would fail
 * these tests loudly.
 */

const huge = [2 ** 31, 2 ** 31 - 1 + 1, 3e9, 1e300];

test('pool options of 2^31 ms or more are refused, naming the option', () => {
  for (const option of ['acquireTimeoutMs', 'createTimeoutMs', 'validateTimeoutMs', 'maxLifetimeMs', 'idleTimeoutMs', 'leakDetectionMs', 'createBackoffMs', 'housekeepingMs', 'failFastAfterMs', 'prePingBypassMs']) {
    for (const value of huge) {
      assert.throws(() => new Pool(new FakeFactory(), { [option]: value, createBackoffMaxMs: 2 ** 31 - 1 }), { code: 'HAVUZ_INVALID_OPTION', option }, `${option}: ${value}`);
    }
  }
  assert.ok(new Pool(new FakeFactory(), { acquireTimeoutMs: 2 ** 31 - 1 }), 'the largest a timer holds is fine');
});

test('Infinity means no limit for acquireTimeoutMs, idleTimeoutMs, maxLifetimeMs and failFastAfterMs, and arms no timer', async () => {
  const { pool, clock } = setup({ size: 1, acquireTimeoutMs: Infinity, idleTimeoutMs: Infinity, maxLifetimeMs: Infinity, failFastAfterMs: Infinity });
  const held = await pool.acquire();
  const waiting = track(pool.acquire());
  await clock.advance(2 ** 31);
  assert.equal(waiting.state, 'pending', 'no deadline');
  held.release();
  await flush();
  assert.equal(waiting.state, 'fulfilled');
  assert.equal(clock.pending, 0, 'no housekeeping timer either: nothing is timed');
});

test('acquire({ timeoutMs }) of 2^31 or more is refused; Infinity waits as long as it takes', async () => {
  const { pool, clock } = setup({ size: 1 });
  const held = await pool.acquire();
  for (const timeoutMs of huge) await rejectsWith(pool.acquire({ timeoutMs }), 'HAVUZ_INVALID_OPTION');
  const waiting = track(pool.acquire({ timeoutMs: Infinity }));
  await clock.advance(60_000);
  assert.equal(waiting.state, 'pending', 'past the default 30 s: its own "no limit" holds');
  held.release();
  await flush();
  assert.equal(waiting.state, 'fulfilled');
});

test('close({ timeoutMs: Infinity }) waits for every checkout and closes nothing under its holder', async () => {
  const { pool, clock, factory } = setup({ size: 1 });
  const lease = await pool.acquire();
  const closed = track(pool.close({ timeoutMs: Infinity }));
  await clock.advance(2 ** 31);
  assert.equal(closed.state, 'pending');
  assert.equal(lease.connection.destroyed, false);
  lease.release();
  await flush();
  assert.equal(closed.state, 'fulfilled');
  assert.equal(factory.open, 0);
  for (const timeoutMs of huge) await rejectsWith(pool.close({ timeoutMs }), 'HAVUZ_INVALID_OPTION');
});

test('close() with options that are not an object, or unknown keys, rejects with HAVUZ_INVALID_OPTION and closes nothing', async () => {
  const { pool } = setup();
  for (const options of [null, 5, 'x', [], { timeout: 5 }, { drain: 'yes' }]) await rejectsWith(pool.close(options as never), 'HAVUZ_INVALID_OPTION');
  for (const options of [null, 5, [], { signal: 'x' }, { hasOwnProperty: 1 }]) await rejectsWith(pool.acquire(options as never), 'HAVUZ_INVALID_OPTION');
  assert.equal(pool.status().closed, false);
  assert.ok(await pool.acquire());
});
