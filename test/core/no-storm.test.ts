import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, setup } from '../support/harness.js';
import type { PoolOptions } from '../../src/core/options.js';

/**
 * No path opens connections without backoff: a ping, reset or init that keeps failing counts as a
 * failed connect, so the pool opens at most ~10 connections a second however fast it is asked.
 * (Before, a validate that always answered false made 73,207 connects in one second.)
 */

/** Workers that acquire and release as fast as they can for `ms` of fake time, 1 ms per round. */
async function hammer(options: PoolOptions, factory: FakeFactory, ms: number) {
  const kit = setup({ size: 5, acquireTimeoutMs: 60_000, ...options }, factory);
  let served = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const lease = await kit.pool.acquire().catch(() => undefined);
      if (lease === undefined) continue;
      served++;
      lease.release();
      await flush();
    }
  };
  const workers = Array.from({ length: 20 }, worker);
  for (let t = 0; t < ms; t += 5) await kit.clock.advance(5);
  stop = true;
  await kit.pool.close({ timeoutMs: 0 });
  await Promise.all(workers);
  return { ...kit, served };
}

test('a validate that always fails: connects stay under ~10 a second, and fresh connections are never pinged', async () => {
  const factory = new FakeFactory({ onValidate: () => false });
  const pinged: number[] = [];
  const validate = factory.validate.bind(factory);
  factory.validate = (c) => (pinged.push(c.id), validate(c));
  const { served } = await hammer({ prePing: true, prePingBypassMs: 0 }, factory, 1_000);
  assert.ok(factory.attempts <= 5 + 12, `${factory.attempts} connects in 1 s`);
  assert.ok(served > factory.attempts, 'callers are still served, by fresh connections');
  assert.ok(pinged.length > 0, 'used connections are pinged');
});

test('a reset that always fails: connects stay under ~10 a second', async () => {
  const factory = new FakeFactory({ onReset: () => Promise.reject(new Error('ROLLBACK failed')) });
  await hammer({}, factory, 1_000);
  assert.ok(factory.attempts <= 5 + 12, `${factory.attempts} connects in 1 s`);
});

test('an init that always fails: connect attempts stay under ~10 a second, each failed connection closed', async () => {
  const factory = new FakeFactory({ onInit: () => Promise.reject(new Error('SET failed')) });
  await hammer({ failFast: false }, factory, 1_000);
  assert.ok(factory.attempts <= 2 + 11, `${factory.attempts} connects in 1 s`);
  assert.equal(factory.open, 0, 'none leaked');
});

test('a connection opened a moment ago is handed out without a ping, even with prePingBypassMs 0', async () => {
  const factory = new FakeFactory();
  const { pool, clock } = setup({ size: 1, prePing: true, prePingBypassMs: 0 }, factory);
  await clock.advance(5);
  (await pool.acquire()).release();
  assert.equal(factory.count('validate'), 0, 'first checkout of a fresh connection');
  await clock.advance(5);
  (await pool.acquire()).release();
  assert.equal(factory.count('validate'), 1, 'a used one is pinged');
});
