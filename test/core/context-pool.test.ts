import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextPool } from '../../src/core/pools/context.js';
import { FakeClock } from '../support/fake-clock.js';
import { deferred, FakeFactory } from '../support/fake-factory.js';
import { flush, throwsWith } from '../support/harness.js';

function contextPool(size = 3) {
  const factory = new FakeFactory();
  return { pool: new ContextPool(factory, { clock: new FakeClock(), size }), factory };
}

test('inside a scope every acquire, however deep and concurrent, gets the same connection', async () => {
  const { pool, factory } = contextPool();
  const deep = async () => {
    await flush();
    return pool.use((c) => c.id);
  };
  const ids = await pool.scope(async () => {
    const first = await pool.use((c) => c.id);
    const parallel = await Promise.all([deep(), deep(), pool.use((c) => c.id)]);
    return [first, ...parallel];
  });
  assert.equal(new Set(ids).size, 1);
  assert.equal(factory.created, 1);
});

test('a nested scope joins the outer one', async () => {
  const { pool } = contextPool();
  const [outer, inner] = await pool.scope(async () => {
    const o = await pool.use((c) => c.id);
    const i = await pool.scope(() => pool.use((c) => c.id));
    assert.equal(pool.status().inUse, 1, 'the nested scope did not give it back early');
    return [o, i];
  });
  assert.equal(inner, outer);
});

test('the connection goes back at scope end, also when the scope throws; scopes side by side differ', async () => {
  const { pool } = contextPool();
  const gate = deferred();
  const [a, b] = await Promise.all([
    pool.scope(async () => (await gate.promise, pool.use((c) => c.id))),
    pool.scope(async () => (await gate.promise, pool.use((c) => c.id))),
    flush().then(() => gate.resolve()),
  ]);
  assert.notEqual(a, b);
  await assert.rejects(
    pool.scope(async () => {
      await pool.acquire(); // never released by hand
      throw new Error('handler failed');
    }),
    /handler failed/,
  );
  await flush();
  assert.deepEqual([pool.status().inUse, pool.status().idle], [0, 2]);
});

test('a scoped lease kept past the end of its scope cannot reach the connection', async () => {
  const { pool } = contextPool(1);
  const kept = await pool.scope(() => pool.acquire());
  await flush();
  const someoneElse = await pool.acquire();
  assert.ok(someoneElse.connection);
  throwsWith(() => kept.connection, 'HAVUZ_LEASE_RELEASED');
});

test('invalidating in a scope closes the connection for the whole scope; the next acquire gets a new one', async () => {
  const { pool, factory } = contextPool();
  await pool.scope(async () => {
    const lease = await pool.acquire();
    const first = lease.connection;
    const sibling = await pool.acquire();
    lease.invalidate();
    await flush();
    assert.equal(first.destroyed, true);
    throwsWith(() => sibling.connection, 'HAVUZ_LEASE_RELEASED');
    assert.notEqual(await pool.use((c) => c), first);
  });
  await flush();
  assert.deepEqual([factory.created, pool.status().inUse], [2, 0]);
});

test('outside a scope it is a plain queue pool; foreign leases are refused', async () => {
  const { pool } = contextPool();
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  assert.notEqual(a.connectionId, b.connectionId);
  pool.release(a);
  throwsWith(() => pool.release(a), 'HAVUZ_LEASE_RELEASED');
  const other = await contextPool().pool.acquire();
  throwsWith(() => pool.release(other), 'HAVUZ_FOREIGN_LEASE');
  await pool.close({ timeoutMs: 0 });
  assert.equal(pool.status().closed, true);
});
