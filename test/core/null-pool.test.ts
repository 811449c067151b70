import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NullPool } from '../../src/core/pools/null.js';
import type { PoolOptions } from '../../src/core/options.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { FakeFactory } from '../support/fake-factory.js';
import { assertStatusAddsUp, track } from '../support/harness.js';

function nullPool(options: PoolOptions = {}, factory = new FakeFactory()) {
  const clock = new FakeClock();
  return { pool: new NullPool(factory, { clock, ...options }), factory, clock };
}

test('every checkout opens a new connection and every release closes it', async () => {
  const { pool, factory } = nullPool();
  const reasons: string[] = [];
  pool.on('close', (e) => reasons.push(e.reason));
  const ids = new Set<number>();
  for (let i = 0; i < 3; i++) await pool.use((c) => ids.add(c.id));
  await flush();
  assert.equal(ids.size, 3);
  assert.deepEqual([factory.created, factory.destroyed], [3, 3]);
  assert.deepEqual(reasons, ['not-retained', 'not-retained', 'not-retained']);
  assert.deepEqual([pool.status().size, pool.status().idle], [0, 0]);
  assert.equal(factory.count('reset'), 0, 'no reset for a connection about to close');
});

test('size still caps how many are open at once; a waiter gets a fresh connection, not the returned one', async () => {
  const { pool, factory } = nullPool({ size: 2 });
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  const third = track(pool.acquire());
  await flush();
  assert.equal(third.state, 'pending');
  assert.equal(factory.attempts, 2);
  const returned = a.connection;
  a.release();
  await flush();
  assert.equal(third.state, 'fulfilled');
  assert.equal(returned.destroyed, true);
  assert.notEqual(third.value!.connection, returned);
  assert.ok(factory.maxOpen <= 2, `${factory.maxOpen} open at once`);
  b.release();
  third.value!.release();
  await flush();
  assert.equal(factory.open, 0);
  assertStatusAddsUp(pool, factory);
});

test('a connection opened for a waiter that gave up is closed, not kept idle', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool } = nullPool({ size: 1 }, factory);
  const controller = new AbortController();
  const gone = track(pool.acquire({ signal: controller.signal }));
  await flush();
  controller.abort();
  factory.held[0]!.open();
  await flush();
  assert.equal(gone.state, 'rejected');
  assert.deepEqual([factory.open, pool.status().size], [0, 0]);
});

test('minIdle is refused: a pool that keeps nothing cannot keep connections ready', () => {
  assert.throws(() => nullPool({ minIdle: 1 }), { code: 'HAVUZ_INVALID_OPTION', option: 'minIdle' });
  assert.ok(nullPool({ minIdle: 0 }).pool);
});
