import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticPool } from '../../src/core/pools/static.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeFactory } from '../support/fake-factory.js';
import { assertStatusAddsUp, flush, rejectsWith, throwsWith, track } from '../support/harness.js';

function staticPool(factory = new FakeFactory()) {
  return { pool: new StaticPool(factory, { name: 'mem' }), factory };
}

test('every checkout, concurrent or not, shares the one connection, opened once', async () => {
  const { pool, factory } = staticPool();
  const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  assert.equal(new Set(leases.map((l) => l.connection)).size, 1);
  assert.equal(factory.attempts, 1);
  assert.deepEqual([pool.status().size, pool.status().inUse, pool.status().idle], [1, 1, 0]);
  for (const lease of leases) lease.release();
  assert.deepEqual([pool.status().inUse, pool.status().idle], [0, 1]);
  assert.equal(factory.destroyed, 0, 'release keeps it open');
  throwsWith(() => leases[0]!.release(), 'HAVUZ_LEASE_RELEASED');
});

test('invalidate closes the connection and the next checkout opens a new one', async () => {
  const { pool, factory } = staticPool();
  const lease = await pool.acquire();
  const first = lease.connection;
  lease.invalidate();
  await flush();
  assert.equal(first.destroyed, true);
  assert.notEqual((await pool.acquire()).connection, first);
  assert.equal(factory.created, 2);
});

test('a failed connect rejects with HAVUZ_CREATE_FAILED and the next checkout tries again', async () => {
  const { pool, factory } = staticPool(new FakeFactory({ failCreates: 1 }));
  await rejectsWith(pool.acquire(), 'HAVUZ_CREATE_FAILED');
  assert.ok(await pool.acquire());
  assert.equal(factory.attempts, 2);
});

test('a connection that dies is reported and replaced on the next checkout', async () => {
  const { pool } = staticPool();
  const errors: string[] = [];
  pool.on('connection-error', (e) => errors.push(e.phase));
  const lease = await pool.acquire();
  const first = lease.connection;
  lease.release();
  first.break();
  await flush();
  assert.deepEqual(errors, ['idle']);
  assert.equal(first.destroyed, true);
  assert.notEqual((await pool.acquire()).connection, first);
});

test('an aborted signal rejects with HAVUZ_ACQUIRE_ABORTED like every other pool', async () => {
  const { pool } = staticPool();
  await rejectsWith(pool.acquire({ signal: AbortSignal.abort() }), 'HAVUZ_ACQUIRE_ABORTED');
});

test('close closes the connection; acquires after it reject; unknown options and foreign leases are refused', async () => {
  const { pool, factory } = staticPool();
  await pool.use(() => undefined);
  await pool.close();
  assert.equal(factory.open, 0);
  assert.equal(pool.status().closed, true);
  await rejectsWith(pool.acquire(), 'HAVUZ_POOL_CLOSED');
  assert.throws(() => new StaticPool(new FakeFactory(), { size: 2 }), { code: 'HAVUZ_INVALID_OPTION', option: 'size' });
  assert.throws(() => new StaticPool(new FakeFactory(), { sizee: 3 } as never), { code: 'HAVUZ_INVALID_OPTION', option: 'sizee' });
  assert.throws(() => new StaticPool(new FakeFactory(), { acquireTimeoutMs: -5 }), { code: 'HAVUZ_INVALID_OPTION', option: 'acquireTimeoutMs' });
  const other = staticPool().pool;
  const foreign = await other.acquire();
  throwsWith(() => staticPool().pool.release(foreign), 'HAVUZ_FOREIGN_LEASE');
});

// The defects of the old, separate StaticPool: each of these failed before it moved onto the scheduler.

test('a connect that stalls is abandoned after createTimeoutMs instead of hanging acquire forever', async () => {
  const clock = new FakeClock();
  const factory = new FakeFactory({ hold: true });
  const pool = new StaticPool(factory, { clock, createTimeoutMs: 500 });
  const acquired = track(pool.acquire());
  await clock.advance(500);
  assert.equal(acquired.state, 'rejected');
  assert.equal(acquired.error.code, 'HAVUZ_CREATE_FAILED');
  assert.equal(factory.held[0]!.signal.aborted, true, 'the driver is told to give up');
});

test('a connection whose init fails is closed, not leaked', async () => {
  const factory = new FakeFactory({ onInit: () => Promise.reject(new Error('SET failed')) });
  const pool = new StaticPool(factory, { clock: new FakeClock() });
  await rejectsWith(pool.acquire(), 'HAVUZ_CREATE_FAILED');
  await flush();
  assert.deepEqual([factory.created, factory.destroyed], [1, 1]);
});

test('a throwing listener is reported, not swallowed', async () => {
  const logged: string[] = [];
  const pool = new StaticPool(new FakeFactory(), { clock: new FakeClock(), logger: { error: (_f, m) => logged.push(m) } });
  pool.on('checkout', () => {
    throw new Error('listener bug');
  });
  (await pool.acquire()).release();
  assert.deepEqual(logged, ['havuz: a pool event listener threw: listener bug']);
});

test('dispose() while the connection is checked out keeps it for its holders, then replaces it', async () => {
  const { pool, factory } = staticPool();
  const lease = await pool.acquire();
  const first = lease.connection;
  await pool.dispose();
  assert.equal(first.destroyed, false, 'an in-memory database would be gone under its holder');
  assert.equal(lease.connection, first);
  lease.release();
  await flush();
  assert.equal(first.destroyed, true, 'recycled once free');
  assert.notEqual((await pool.acquire()).connection, first);
  assert.equal(factory.created, 2);
});

test('acquires that come while the connection opens wait with their deadlines, then all share it; status adds up', async () => {
  const clock = new FakeClock();
  const factory = new FakeFactory({ hold: true });
  const pool = new StaticPool(factory, { clock, acquireTimeoutMs: 1_000 });
  const waiting = [track(pool.acquire()), track(pool.acquire()), track(pool.acquire({ timeoutMs: 10 }))];
  await clock.advance(10);
  assert.deepEqual(waiting.map((w) => w.state), ['pending', 'pending', 'rejected']);
  assert.equal(waiting[2]!.error.code, 'HAVUZ_ACQUIRE_TIMEOUT');
  assert.deepEqual([pool.status().pending, pool.status().connecting], [2, 1]);
  factory.held[0]!.open();
  await flush();
  assert.deepEqual(waiting.slice(0, 2).map((w) => w.state), ['fulfilled', 'fulfilled']);
  assert.equal(waiting[0]!.value!.connection, waiting[1]!.value!.connection);
  assertStatusAddsUp(pool, factory);
  assert.deepEqual([pool.status().size, pool.status().inUse, pool.status().pending], [1, 1, 0]);
});
