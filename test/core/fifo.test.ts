import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flush, heldPing, setup, withIdleConnection } from '../support/harness.js';

test('waiters are served in the order they asked', async () => {
  const { pool } = setup({ size: 2 });
  const held = await Promise.all([pool.acquire(), pool.acquire()]);
  const order: number[] = [];
  const waits = Array.from({ length: 6 }, (_, i) => pool.acquire().then((lease) => (order.push(i), lease)));
  await flush();
  for (let i = 0; i < 6; i++) {
    const lease = i < 2 ? held[i]! : await waits[i - 2]!;
    lease.release();
    await flush();
  }
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
});

test('cancelled waiters in the middle do not disturb the order of the rest', async () => {
  const { pool, clock } = setup({ size: 1 });
  const lease = await pool.acquire();
  const order: string[] = [];
  const controller = new AbortController();
  const ask = (name: string, options?: object) =>
    pool.acquire(options).then(
      (l) => (order.push(name), l.release()),
      () => order.push(`${name}!`),
    );
  const all = [ask('a'), ask('b', { signal: controller.signal }), ask('c', { timeoutMs: 5 }), ask('d'), ask('e')];
  controller.abort();
  await clock.advance(5);
  lease.release();
  await Promise.all(all);
  assert.deepEqual(order, ['b!', 'c!', 'a', 'd', 'e']);
});

test('a new acquire does not jump ahead of waiters when a connection comes back', async () => {
  const { pool } = setup({ size: 1, resetOnReturn: false });
  const lease = await pool.acquire();
  const order: string[] = [];
  const waiter = pool.acquire().then((l) => (order.push('waiter'), l));
  lease.release();
  const latecomer = pool.acquire().then((l) => (order.push('latecomer'), l));
  (await waiter).release();
  await latecomer;
  assert.deepEqual(order, ['waiter', 'latecomer']);
});

test('a waiter whose connection failed its ping keeps its place at the head', async () => {
  const { ping, factory: pinging } = heldPing();
  const { pool, factory, clock } = await withIdleConnection({}, pinging);
  const order: string[] = [];
  const first = pool.acquire().then((l) => (order.push('first'), l)); // takes the idle one and pings it
  const second = pool.acquire().then((l) => (order.push('second'), l));
  await flush();
  ping.resolve(false);
  await clock.advance(125); // the replacement connect waits out the backoff
  (await first).release();
  await second;
  assert.deepEqual(order, ['first', 'second']);
  assert.equal(pool.status().counters.validationFailures, 1);
  assert.equal(factory.created, 2, 'the failed connection was replaced');
});
