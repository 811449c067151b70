import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, setup } from '../support/harness.js';

test('at most maxConnecting connects are in flight, and every waiter is still served', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool } = setup({ size: 10, maxConnecting: 2 }, factory);
  const acquires = Array.from({ length: 10 }, () => pool.acquire());
  let opened = 0;
  for (let round = 0; round < 10; round++) {
    await flush();
    assert.ok(factory.held.length - opened <= 2, `${factory.held.length - opened} connects in flight`);
    assert.equal(pool.status().connecting, Math.min(2, 10 - opened));
    factory.held[opened++]!.open();
  }
  const leases = await Promise.all(acquires);
  assert.equal(new Set(leases.map((l) => l.connectionId)).size, 10);
  assert.equal(factory.attempts, 10);
});

test('no connect storm when the database comes back: a hundred waiters, two connects at a time', async () => {
  const factory = new FakeFactory({ failCreates: Infinity });
  const { pool, clock } = setup({ size: 100, maxConnecting: 2, failFast: false, acquireTimeoutMs: 60_000 }, factory);
  const acquires = Array.from({ length: 100 }, () => pool.acquire());
  await clock.advance(5_000);
  const failedAttempts = factory.attempts;
  assert.ok(failedAttempts < 40, `${failedAttempts} attempts during a 5 s outage`);
  factory.failCreates = 0;
  factory.hold = true;
  await clock.advance(1_000);
  assert.ok(factory.held.length <= 2, `${factory.held.length} connects at once after the outage`);
  for (let i = 0; i < 100; i++) {
    await flush();
    factory.held[i]!.open();
  }
  assert.equal((await Promise.all(acquires)).length, 100);
});
