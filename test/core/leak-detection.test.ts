import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../support/harness.js';

const leakOpts = { size: 1, leakDetectionMs: 1_000, housekeepingMs: 100 };

function withLogger() {
  const warnings: Array<{ message: string; fields: any }> = [];
  return { warnings, logger: { warn: (fields: object, message: string) => warnings.push({ message, fields }), error: () => undefined } };
}

async function forgetfulRequestHandler(pool: ReturnType<typeof setup>['pool']) {
  return pool.acquire();
}

test('a checkout held past leakDetectionMs is reported once, with the stack of the function that acquired it', async () => {
  const { warnings, logger } = withLogger();
  const { pool, clock } = setup({ ...leakOpts, logger });
  const leaks: any[] = [];
  pool.on('leak', (e) => leaks.push(e));
  const lease = await forgetfulRequestHandler(pool);
  await clock.advance(900);
  assert.equal(leaks.length, 0);
  await clock.advance(100);
  assert.equal(leaks.length, 1);
  assert.match(leaks[0].stack, /forgetfulRequestHandler/);
  assert.equal(leaks[0].id, lease.connectionId);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.message, /checked out for 1000 ms; possible leak/);
  assert.match(warnings[0]!.fields.stack, /forgetfulRequestHandler/);
  await clock.advance(5_000);
  assert.equal(leaks.length, 1, 'reported once per checkout');
  assert.equal(pool.status().counters.leaks, 1);
});

test('the stack names the acquirer even when the acquire had to wait for another caller to release', async () => {
  const { pool, clock } = setup(leakOpts);
  const leaks: any[] = [];
  pool.on('leak', (e) => leaks.push(e));
  const first = await pool.acquire();
  const waited = forgetfulRequestHandler(pool);
  (function releasingNeighbour() {
    first.release();
  })();
  await waited;
  await clock.advance(1_000);
  assert.equal(leaks.length, 1);
  assert.match(leaks[0].stack, /forgetfulRequestHandler/);
  assert.doesNotMatch(leaks[0].stack, /releasingNeighbour/);
});

test('checkouts returned in time are never reported, and a new checkout of the same connection starts afresh', async () => {
  const { pool, clock } = setup(leakOpts);
  const leaks: any[] = [];
  pool.on('leak', (e) => leaks.push(e));
  for (let i = 0; i < 5; i++) {
    const lease = await pool.acquire();
    await clock.advance(900);
    lease.release();
  }
  assert.equal(leaks.length, 0);
  await pool.acquire();
  await clock.advance(1_000);
  assert.equal(leaks.length, 1);
});

test('leak detection off reports nothing', async () => {
  const { pool, clock } = setup({ size: 1, housekeepingMs: 60_000 });
  const leaks: any[] = [];
  pool.on('leak', (e) => leaks.push(e));
  await pool.acquire();
  await clock.advance(3_600_000);
  assert.equal(leaks.length, 0);
});
