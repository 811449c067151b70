import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferred, FakeFactory } from '../support/fake-factory.js';
import { assertStatusAddsUp, flush, setup } from '../support/harness.js';

function watch(pool: ReturnType<typeof setup>['pool']) {
  const seen: string[] = [];
  pool.on('connection-error', (e) => seen.push(`connection-error ${e.phase} ${e.id} ${(e.error as Error).message}`));
  pool.on('close', (e) => seen.push(`close ${e.reason} ${e.id}`));
  return seen;
}

test('a connection that dies while idle is removed at once and reported as connection-error, never "error"', async () => {
  const warnings: string[] = [];
  const { pool, factory } = setup({ size: 2, logger: { warn: (_fields, m: string) => warnings.push(m), error: () => undefined } });
  const lease = await pool.acquire();
  const id = lease.connectionId;
  const connection = lease.connection;
  lease.release();
  await flush();
  const seen = watch(pool);
  connection.break(new Error('terminating connection due to administrator command'));
  assert.deepEqual(seen, [
    `connection-error idle ${id} terminating connection due to administrator command`,
    `close broken ${id}`,
  ]);
  assert.equal(connection.destroyed, true);
  assert.deepEqual([pool.status().size, pool.status().idle], [0, 0]);
  assert.match(warnings[0]!, /idle error: terminating connection/);
  assert.notEqual((await pool.acquire()).connectionId, id);
  assertStatusAddsUp(pool, factory);
});

test('a connection that dies while checked out stays with its holder and is closed when it comes back', async () => {
  const { pool, factory } = setup({ size: 1 });
  const lease = await pool.acquire();
  const id = lease.connectionId;
  const seen = watch(pool);
  lease.connection.break();
  lease.connection.break(); // drivers may report twice (error, then close)
  assert.deepEqual(seen, [`connection-error in-use ${id} socket hang up`], "reported once, as a death in use (not idle)");
  assert.equal(lease.connection.destroyed, false, 'not closed under its holder');
  lease.release();
  await flush();
  assert.deepEqual(seen.slice(1), [`close broken ${id}`]);
  assert.equal(factory.count('reset'), 0, 'no reset on a dead connection');
  assert.notEqual((await pool.acquire()).connectionId, id);
});

test('a connection that dies while being reset is closed, not returned', async () => {
  const gate = deferred();
  const factory = new FakeFactory({ onReset: () => gate.promise });
  const { pool } = setup({ size: 1 }, factory);
  const lease = await pool.acquire();
  const connection = lease.connection;
  lease.release();
  connection.break();
  gate.resolve();
  await flush();
  assert.equal(connection.destroyed, true);
  assert.equal(pool.status().size, 0);
});

test('a lost idle connection below minIdle is replaced at once', async () => {
  const { pool, factory } = setup({ size: 3, minIdle: 2 });
  await flush();
  const [victim] = [...factory.live];
  victim!.break();
  await flush();
  assert.deepEqual([pool.status().idle, factory.created], [2, 3]);
});

test('a listener that throws on connection-error does not crash anything', async () => {
  const { pool } = setup({ size: 1, logger: { warn: () => undefined, error: () => undefined } });
  pool.on('connection-error', () => {
    throw new Error('listener bug');
  });
  const lease = await pool.acquire();
  const connection = lease.connection;
  lease.release();
  await flush();
  assert.doesNotThrow(() => connection.break());
  assert.equal(pool.status().size, 0);
});
