import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseError } from '../../src/core/errors.js';
import { flush, rejectsWith, setup, throwsWith } from '../support/harness.js';

test('releasing a lease twice throws HAVUZ_LEASE_RELEASED and does not return the connection twice', async () => {
  const { pool } = setup({ size: 2 });
  const lease = await pool.acquire();
  lease.release();
  const error = throwsWith(() => lease.release(), 'HAVUZ_LEASE_RELEASED');
  assert.ok(error instanceof LeaseError);
  await flush();
  assert.deepEqual([pool.status().idle, pool.status().counters.released], [1, 1]);
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  assert.notEqual(a.connectionId, b.connectionId, 'no connection handed out twice');
});

test('every use of a released lease throws', async () => {
  const { pool } = setup();
  const lease = await pool.acquire();
  assert.equal(lease.connection.destroyed, false);
  lease.release();
  assert.equal(lease.released, true);
  throwsWith(() => lease.connection, 'HAVUZ_LEASE_RELEASED');
  throwsWith(() => lease.connectionId, 'HAVUZ_LEASE_RELEASED');
  throwsWith(() => lease.invalidate(), 'HAVUZ_LEASE_RELEASED');
});

test('invalidate closes the connection instead of returning it', async () => {
  const { pool, factory } = setup({ size: 1 });
  const reasons: string[] = [];
  pool.on('close', (e) => reasons.push(e.reason));
  const lease = await pool.acquire();
  const connection = lease.connection;
  lease.invalidate(new Error('protocol out of sync'));
  assert.equal(connection.destroyed, true);
  assert.deepEqual(reasons, ['invalidated']);
  assert.equal(factory.count('reset'), 0, 'no reset for a connection that is going away');
  const next = await pool.acquire();
  assert.notEqual(next.connection, connection);
  throwsWith(() => lease.release(), 'HAVUZ_LEASE_RELEASED');
});

test('await using releases the lease at the end of the block, once', async () => {
  const { pool } = setup({ size: 1 });
  let escaped: Awaited<ReturnType<typeof pool.acquire>> | undefined;
  {
    await using lease = await pool.acquire();
    escaped = lease;
    assert.equal(pool.status().inUse, 1);
  }
  assert.equal(escaped.released, true);
  {
    await using lease = await pool.acquire();
    lease.release(); // released by hand inside the block: disposal must not throw
  }
  await flush();
  assert.equal(pool.status().counters.released, 2);
  assert.equal(typeof escaped[Symbol.asyncDispose], 'function');
});

test('pool.use releases even when fn throws, and passes the error on', async () => {
  const { pool } = setup({ size: 1 });
  const boom = new Error('query failed');
  await assert.rejects(
    pool.use(() => {
      throw boom;
    }),
    (e) => e === boom,
  );
  await assert.rejects(pool.use(async () => Promise.reject(boom)), (e) => e === boom);
  await flush();
  assert.deepEqual([pool.status().inUse, pool.status().counters.released], [0, 2]);
  assert.equal(await pool.use((c) => c.id), 1, 'returns what fn returns, on the same connection');
});

test('pool.use tolerates fn invalidating or releasing its lease', async () => {
  const { pool, factory } = setup({ size: 1 });
  await pool.use((_c, lease) => lease.invalidate());
  await pool.use((_c, lease) => lease.release());
  await flush();
  assert.equal(factory.destroyed, 1);
  assert.equal(pool.status().inUse, 0);
});

test('pool.release(lease) releases; a lease of another pool throws HAVUZ_FOREIGN_LEASE', async () => {
  const one = setup({ size: 1 });
  const other = setup({ size: 1 });
  const foreign = await other.pool.acquire();
  throwsWith(() => one.pool.release(foreign), 'HAVUZ_FOREIGN_LEASE');
  throwsWith(() => one.pool.release({} as never), 'HAVUZ_FOREIGN_LEASE');
  assert.equal(foreign.released, false, 'the foreign lease is untouched');
  other.pool.release(foreign);
  assert.equal(foreign.released, true);
  await rejectsWith(one.pool.acquire({ nope: 1 } as never), 'HAVUZ_INVALID_OPTION');
});
