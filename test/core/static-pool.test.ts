import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticPool } from '../../src/core/pools/static.js';
import { FakeFactory } from '../support/fake-factory.js';
import { flush, rejectsWith, throwsWith } from '../support/harness.js';

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
