import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { channelNames, type PoolEventName } from '../../src/core/events.js';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, setup } from '../support/harness.js';

test('connect, checkout, checkin and reset fire with their payloads', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool, clock } = setup({ name: 'ev', size: 1 }, factory);
  const seen: Array<[string, any]> = [];
  for (const event of ['connect', 'checkout', 'checkin', 'reset'] as const) pool.on(event, (p) => seen.push([event, p]));
  const acquired = pool.acquire();
  await clock.advance(40);
  factory.held[0]!.open();
  const lease = await acquired;
  const connection = lease.connection;
  const id = lease.connectionId;
  await clock.advance(25);
  lease.release();
  await flush();
  assert.deepEqual(seen, [
    ['connect', { pool: 'ev', id, connection, durationMs: 40 }],
    ['checkout', { pool: 'ev', id, connection, waitMs: 40 }],
    ['checkin', { pool: 'ev', id, connection, heldMs: 25 }],
    ['reset', { pool: 'ev', id, connection }],
  ]);
  seen.length = 0;
  await pool.acquire();
  assert.deepEqual(seen, [['checkout', { pool: 'ev', id, connection, waitMs: 0 }]], 'an idle checkout waited 0 ms');
});

test('invalidate, close, soft-invalidate, connection-error and leak fire with their payloads', async () => {
  const { pool, clock, factory } = setup({ name: 'ev', size: 2, leakDetectionMs: 1_000, housekeepingMs: 100, failFastAfterMs: 0 });
  const seen: Array<[string, any]> = [];
  for (const event of ['invalidate', 'close', 'soft-invalidate', 'connection-error', 'leak'] as const) pool.on(event, (p) => seen.push([event, p]));
  const lease = await pool.acquire();
  const id = lease.connectionId;
  const reason = new Error('bad state');
  lease.invalidate(reason);
  assert.deepEqual(seen.splice(0), [
    ['invalidate', { pool: 'ev', id, reason }],
    ['close', { pool: 'ev', id, reason: 'invalidated' }],
  ]);
  await pool.invalidateAll({ soft: true });
  assert.deepEqual(seen.splice(0), [['soft-invalidate', { pool: 'ev', generation: 1 }]]);
  factory.failCreates = 1;
  await pool.acquire().catch(() => undefined);
  const [[name, failure]] = seen.splice(0) as [[string, any]];
  assert.equal(name, 'connection-error');
  assert.deepEqual({ ...failure, error: undefined }, { pool: 'ev', id: undefined, phase: 'create', error: undefined });
  assert.equal(failure.error.code, 'HAVUZ_CREATE_FAILED');
  await clock.advance(200);
  const held = await pool.acquire();
  await clock.advance(1_000);
  const leak = seen.find(([n]) => n === 'leak')?.[1];
  assert.equal(leak.id, held.connectionId);
  assert.equal(leak.pool, 'ev');
  assert.ok(leak.heldMs >= 1_000 && leak.heldMs < 1_100);
  assert.match(leak.stack, /events\.test\.ts/);
});

test('a throwing listener does not break the pool or stop other listeners, and is logged', async () => {
  const logged: string[] = [];
  const logger = { warn: () => undefined, error: (_fields: object, m: string) => logged.push(m) };
  const { pool } = setup({ size: 1, logger });
  let after = 0;
  pool.on('checkout', () => {
    throw new Error('listener bug');
  });
  pool.on('checkout', () => after++);
  pool.on('checkin', () => {
    throw new Error('listener bug');
  });
  for (let i = 0; i < 3; i++) await pool.use(() => undefined);
  await flush();
  assert.equal(after, 3);
  assert.equal(pool.status().counters.released, 3);
  assert.equal(pool.status().idle, 1);
  assert.equal(logged.length, 6);
  assert.match(logged[0]!, /listener threw: listener bug/);
});

test('on() returns an unsubscribe; off() removes; unknown events (including "error") are refused', async () => {
  const { pool } = setup({ size: 1 });
  let a = 0;
  let b = 0;
  const listenerB = () => b++;
  const stop = pool.on('checkout', () => a++);
  pool.on('checkout', listenerB);
  await pool.use(() => undefined);
  stop();
  pool.off('checkout', listenerB);
  await pool.use(() => undefined);
  assert.deepEqual([a, b], [1, 1]);
  assert.throws(() => pool.on('error' as PoolEventName, () => undefined), { code: 'HAVUZ_INVALID_OPTION', option: 'event' });
});

test('every event is published on diagnostics_channel havuz:pool:<event>', async () => {
  const names = Object.keys(channelNames) as PoolEventName[];
  assert.deepEqual(names.map((n) => channelNames[n]), names.map((n) => `havuz:pool:${n}`));
  const published = new Map<string, unknown[]>();
  const subscribers = names.map((n) => {
    const fn = (message: unknown) => published.set(n, [...(published.get(n) ?? []), message]);
    diagnostics.subscribe(channelNames[n], fn);
    return () => diagnostics.unsubscribe(channelNames[n], fn);
  });
  try {
    const { pool } = setup({ name: 'dc', size: 1 });
    const lease = await pool.acquire();
    lease.release();
    await flush();
    (await pool.acquire()).invalidate();
    await pool.invalidateAll({ soft: true });
    assert.deepEqual(
      [...published.keys()].sort(),
      ['checkin', 'checkout', 'close', 'connect', 'invalidate', 'reset', 'soft-invalidate'],
    );
    const checkout = published.get('checkout')![0] as { pool: string; id: number };
    assert.equal(checkout.pool, 'dc');
  } finally {
    for (const unsubscribe of subscribers) unsubscribe();
  }
});

test('timeout fires when an acquire gives up, with how long it waited and how many still wait', async () => {
  const { pool, clock } = setup({ name: 'ev', size: 1, acquireTimeoutMs: 300 });
  const seen: any[] = [];
  pool.on('timeout', (e) => seen.push(e));
  const held = await pool.acquire();
  const first = pool.acquire().catch(() => undefined);
  await clock.advance(100);
  const second = pool.acquire().catch(() => undefined);
  await clock.advance(200);
  await first;
  assert.deepEqual(seen, [{ pool: 'ev', waitMs: 300, pending: 1 }]);
  held.release();
  await second;
});

test("a connection whose init fails is reported in phase 'init', with the message saying so", async () => {
  const factory = new FakeFactory({ onInit: () => Promise.reject(new Error('SET failed')) });
  const { pool } = setup({ name: 'ev', size: 1 }, factory);
  const seen: Array<{ phase: string; message: string }> = [];
  pool.on('connection-error', (e) => seen.push({ phase: e.phase, message: (e.error as Error).message }));
  await assert.rejects(pool.acquire(), { code: 'HAVUZ_CREATE_FAILED', phase: 'init' });
  assert.deepEqual(seen, [{ phase: 'init', message: 'Pool "ev" could not initialise a new connection: SET failed' }]);
});

test("an init that outlasts createTimeoutMs is reported in phase 'init' too, and its connection closed once it ends", async () => {
  let finish = (): void => {};
  const factory = new FakeFactory({ onInit: () => new Promise<void>((resolve) => (finish = resolve)) });
  const { pool, clock } = setup({ name: 'ev', size: 1, createTimeoutMs: 500 }, factory);
  const seen: string[] = [];
  pool.on('connection-error', (e) => seen.push(`${e.phase}: ${(e.error as Error).message}`));
  const acquired = pool.acquire();
  const rejected = assert.rejects(acquired, { code: 'HAVUZ_CREATE_FAILED', phase: 'init', timedOut: true });
  await clock.advance(500);
  await rejected;
  assert.deepEqual(seen, ['init: Pool "ev" could not initialise a new connection: init timed out after 500 ms']);
  finish();
  await flush();
  assert.deepEqual([factory.created, factory.destroyed], [1, 1]);
  await pool.close();
});
