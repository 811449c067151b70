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

test('no connect storm: while the database is down, one attempt at a time, at most 10 a second; two at a time once it is back', async () => {
  const factory = new FakeFactory({ failCreates: Infinity });
  let inFlight = 0;
  let mostInFlight = 0;
  const create = factory.create.bind(factory);
  factory.create = async (context) => {
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    try {
      return await create(context);
    } finally {
      inFlight--;
    }
  };
  const { pool, clock } = setup({ size: 100, maxConnecting: 2, failFast: false, acquireTimeoutMs: 60_000 }, factory);
  const acquires = Array.from({ length: 100 }, () => pool.acquire());
  await flush();
  const firstBurst = factory.attempts;
  assert.equal(firstBurst, 2, 'maxConnecting before anything failed');
  await clock.advance(5_000);
  const failedAttempts = factory.attempts - firstBurst;
  assert.ok(failedAttempts <= 50, `${failedAttempts} attempts during a 5 s outage (at most 10 a second)`);
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
