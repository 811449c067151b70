import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferred, FakeFactory } from '../support/fake-factory.js';
import { flush, heldPing, track, withIdleConnection } from '../support/harness.js';

const ping = { size: 1, prePing: true, prePingBypassMs: 500, validateTimeoutMs: 1_000 };

function withIdle(idleMs: number, factory = new FakeFactory(), options = {}) {
  return withIdleConnection({ ...ping, ...options }, factory, idleMs);
}

test('an idle connection past the bypass window is pinged before it is handed out', async () => {
  const { pool, factory, id } = await withIdle(501);
  const lease = await pool.acquire();
  assert.deepEqual(factory.calls.map((c) => `${c.call} ${c.id}`), [`validate ${id}`]);
  assert.equal(lease.connectionId, id);
});

test('a connection used within the bypass window is not pinged', async () => {
  const { pool, factory } = await withIdle(500);
  await pool.acquire();
  assert.equal(factory.count('validate'), 0);
});

test('a connection that fails its ping is closed and the caller gets a new one, after the connect backoff', async () => {
  const factory = new FakeFactory({ onValidate: () => false });
  const { pool, clock, id } = await withIdle(1_000, factory);
  const reasons: string[] = [];
  pool.on('close', (e) => reasons.push(e.reason));
  const acquired = track(pool.acquire());
  await flush();
  assert.equal(factory.attempts, 1, 'no connect at once: a failed ping counts as a failure for the backoff');
  await clock.advance(125);
  const lease = acquired.value!;
  assert.notEqual(lease.connectionId, id);
  assert.deepEqual(reasons, ['validation-failed']);
  assert.equal(pool.status().counters.validationFailures, 1);
  assert.equal(factory.open, 1);
});

test('a throwing ping counts as failed and is reported as a connection error', async () => {
  const factory = new FakeFactory({ onValidate: () => Promise.reject(new Error('server closed the connection')) });
  const { pool, clock, id } = await withIdle(1_000, factory);
  const errors: string[] = [];
  pool.on('connection-error', (e) => errors.push(`${e.phase}: ${(e.error as Error).message}`));
  const acquired = track(pool.acquire());
  await clock.advance(125);
  const lease = acquired.value!;
  assert.notEqual(lease.connectionId, id);
  assert.deepEqual(errors, ['validate: server closed the connection']);
});

test('a ping that never answers times out after validateTimeoutMs and the connection is replaced', async () => {
  const factory = new FakeFactory({ onValidate: () => new Promise<boolean>(() => undefined) });
  const { pool, clock, id } = await withIdle(1_000, factory);
  const acquired = track(pool.acquire());
  await clock.advance(999);
  assert.equal(acquired.state, 'pending');
  await clock.advance(1 + 125); // the ping's timeout, then the connect backoff
  assert.equal(acquired.state, 'fulfilled');
  assert.notEqual(acquired.value!.connectionId, id);
  assert.equal(factory.destroyed, 1);
});

test('a waiter whose acquire timeout passes during a failed ping is rejected, not re-queued', async () => {
  const gate = deferred<boolean>();
  const factory = new FakeFactory({ onValidate: () => gate.promise });
  const { pool, clock } = await withIdle(1_000, factory, { acquireTimeoutMs: 100, validateTimeoutMs: 5_000 });
  const acquired = track(pool.acquire());
  await clock.advance(200);
  gate.resolve(false);
  await flush();
  assert.equal(acquired.state, 'rejected');
  assert.equal(acquired.error.code, 'HAVUZ_ACQUIRE_TIMEOUT');
  assert.equal(pool.status().pending, 0);
});

test('prePing without a validate in the factory hands connections out unpinged', async () => {
  const factory = new FakeFactory();
  (factory as { validate?: unknown }).validate = undefined;
  const { pool } = await withIdle(1_000, factory);
  assert.ok(await pool.acquire());
});

test('a connection retired while its ping was out is not handed out even if the ping succeeds', async () => {
  const { ping, factory } = heldPing();
  const { pool, id } = await withIdleConnection({}, factory);
  const acquired = track(pool.acquire());
  await flush();
  await pool.invalidateAll();
  ping.resolve(true);
  await flush();
  assert.equal(acquired.state, 'fulfilled');
  assert.notEqual(acquired.value!.connectionId, id);
  assert.equal(pool.status().counters.validationFailures, 0, 'retired, not a failed ping');
});
