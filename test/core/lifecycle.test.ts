import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferred, FakeFactory } from '../support/fake-factory.js';
import { flush, heldPing, rejectsWith, setup, track, withIdleConnection } from '../support/harness.js';

/** Two connections: one idle, one held by `held`. */
async function oneIdleOneHeld(options = {}, factory?: FakeFactory) {
  const kit = setup({ size: 2, ...options }, factory);
  const [held, other] = await Promise.all([kit.pool.acquire(), kit.pool.acquire()]);
  const idleId = other.connectionId;
  other.release();
  await flush();
  const reasons: string[] = [];
  kit.pool.on('close', (e) => reasons.push(`${e.id === idleId ? 'idle' : 'held'} ${e.reason}`));
  return { ...kit, held, heldId: held.connectionId, idleId, reasons };
}

test('dispose closes idle connections now, recycles held ones on return, and the pool stays usable', async () => {
  const { pool, factory, held, heldId, idleId, reasons } = await oneIdleOneHeld();
  await pool.dispose();
  assert.deepEqual(reasons, ['idle dispose']);
  held.release();
  await flush();
  assert.deepEqual(reasons, ['idle dispose', 'held invalidated']);
  const lease = await pool.acquire();
  assert.ok(![heldId, idleId].includes(lease.connectionId));
  assert.equal(factory.open, 1);
});

test('invalidateAll (hard) closes idle connections at once', async () => {
  const { pool, reasons } = await oneIdleOneHeld();
  await pool.invalidateAll();
  assert.deepEqual(reasons, ['idle dispose']);
  assert.equal(pool.status().idle, 0);
});

test('invalidateAll({ soft: true }) leaves idle connections until their next checkout, then replaces them', async () => {
  const { pool, held, idleId, reasons } = await oneIdleOneHeld();
  await pool.invalidateAll({ soft: true });
  assert.deepEqual(reasons, []);
  assert.equal(pool.status().idle, 1, 'still there');
  const lease = await pool.acquire();
  assert.notEqual(lease.connectionId, idleId);
  assert.deepEqual(reasons, ['idle invalidated']);
  held.release();
  await flush();
  assert.deepEqual(reasons, ['idle invalidated', 'held invalidated']);
  lease.release();
  await flush();
  assert.equal(reasons.length, 2, 'connections opened after the bump are kept');
});

test('close waits for checked-out connections, then closes everything', async () => {
  const { pool, factory, held, reasons } = await oneIdleOneHeld();
  const resets = factory.count('reset');
  const closed = track(pool.close());
  await flush();
  assert.deepEqual(reasons, ['idle pool-closed'], 'idle ones close at once');
  assert.equal(closed.state, 'pending', 'waits for the held one');
  assert.equal(held.connection.destroyed, false);
  held.release();
  await flush();
  assert.equal(closed.state, 'fulfilled');
  assert.deepEqual(reasons, ['idle pool-closed', 'held pool-closed']);
  assert.equal(factory.open, 0);
  assert.equal(factory.count('reset'), resets, 'no reset for a connection that is closing anyway');
});

test('close terminates held connections after timeoutMs', async () => {
  const { pool, clock, factory, held } = await oneIdleOneHeld();
  const connection = held.connection;
  const closed = track(pool.close({ timeoutMs: 5_000 }));
  await clock.advance(4_999);
  assert.equal(closed.state, 'pending');
  await clock.advance(1);
  assert.equal(closed.state, 'fulfilled');
  assert.equal(connection.destroyed, true);
  assert.equal(factory.open, 0);
  held.release(); // late release after the forced close: harmless
  assert.deepEqual([pool.status().size, pool.status().inUse], [0, 0]);
});

test('terminate() closes at once, and also cuts short a close that is waiting', async () => {
  const { pool, held } = await oneIdleOneHeld();
  const graceful = track(pool.close());
  await flush();
  assert.equal(graceful.state, 'pending');
  await pool.terminate();
  assert.equal(graceful.state, 'fulfilled');
  assert.equal(held.connection.destroyed, true);
});

test('waiters are rejected with HAVUZ_POOL_CLOSED at once, and later acquires too', async () => {
  const { pool } = setup({ size: 1 });
  const lease = await pool.acquire();
  const waiters = [pool.acquire(), pool.acquire({ timeoutMs: 60_000 }), pool.acquire({ signal: new AbortController().signal })];
  void pool.close();
  for (const waiter of waiters) await rejectsWith(waiter, 'HAVUZ_POOL_CLOSED');
  await rejectsWith(pool.acquire(), 'HAVUZ_POOL_CLOSED');
  await rejectsWith(pool.use(() => 1), 'HAVUZ_POOL_CLOSED');
  assert.equal(pool.status().closed, true);
  lease.release();
});

test('close aborts connects in flight and closes a connection that arrives late', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool } = setup({ size: 1 }, factory);
  const acquired = track(pool.acquire());
  await flush();
  await pool.close();
  assert.equal(factory.held[0]!.signal.aborted, true);
  assert.equal(acquired.state, 'rejected');
  factory.held[0]!.open();
  await flush();
  assert.deepEqual([factory.created, factory.destroyed], [1, 1]);
});

test('a connection whose ping succeeds after close began is not handed out', async () => {
  const { ping, factory } = heldPing();
  const { pool } = await withIdleConnection({}, factory);
  const acquired = track(pool.acquire());
  await flush();
  assert.equal(factory.count('validate'), 1);
  const closed = pool.close();
  ping.resolve(true);
  await closed;
  assert.equal(acquired.state, 'rejected');
  assert.equal(acquired.error.code, 'HAVUZ_POOL_CLOSED');
  assert.equal(factory.open, 0);
});

test('close waits for a connection that is being reset, then closes it', async () => {
  const gate = deferred();
  const factory = new FakeFactory({ onReset: () => gate.promise });
  const { pool } = setup({ size: 1 }, factory);
  (await pool.acquire()).release();
  const closed = track(pool.close());
  await flush();
  assert.equal(closed.state, 'pending');
  gate.resolve();
  await flush();
  assert.equal(closed.state, 'fulfilled');
  assert.equal(factory.open, 0);
});

test('close is idempotent; await using closes the pool; a bad timeout is refused', async () => {
  let kept: ReturnType<typeof setup>['pool'];
  {
    await using pool = setup().pool;
    kept = pool;
    await pool.use(() => undefined);
  }
  assert.equal(kept.status().closed, true);
  assert.equal(kept.status().size, 0);
  await kept.close();
  const { pool } = setup();
  await rejectsWith(pool.close({ timeoutMs: -1 }), 'HAVUZ_INVALID_OPTION');
  const [a, b] = [pool.close(), pool.close()];
  assert.equal(a, b);
  await a;
});
