import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeFactory, type FakeConnection } from '../support/fake-factory.js';
import { flush, setup } from '../support/harness.js';

/**
 * An idle connection must not keep the process alive: the pool tells the driver when a connection
 * goes idle (passivate: unref its socket) and when it leaves idle (activate: ref it again).
 */
function recording() {
  const factory = new FakeFactory();
  const log: string[] = [];
  Object.assign(factory, {
    passivate: (c: FakeConnection) => log.push(`passivate ${c.id}`),
    activate: (c: FakeConnection) => log.push(`activate ${c.id}`),
  });
  return { factory, log };
}

test('a connection is passivated when it goes idle and activated when it is taken again', async () => {
  const { factory, log } = recording();
  const { pool } = setup({ size: 1 }, factory);
  const lease = await pool.acquire();
  assert.deepEqual(log, [], 'a new connection handed to its waiter stays active');
  lease.release();
  await flush();
  assert.deepEqual(log, ['passivate 1']);
  (await pool.acquire()).release();
  await flush();
  assert.deepEqual(log, ['passivate 1', 'activate 1', 'passivate 1']);
});

test('a connection handed straight from one holder to a waiter is never passivated', async () => {
  const { factory, log } = recording();
  const { pool } = setup({ size: 1 }, factory);
  const lease = await pool.acquire();
  const next = pool.acquire();
  lease.release();
  await next;
  assert.deepEqual(log, []);
});

test('minIdle connections opened in the background are passivated as they arrive', async () => {
  const { factory, log } = recording();
  const { pool } = setup({ size: 2, minIdle: 2, maxConnecting: 2 }, factory);
  await pool.ready();
  await flush();
  assert.deepEqual(log.sort(), ['passivate 1', 'passivate 2']);
});
