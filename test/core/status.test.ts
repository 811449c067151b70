import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeFactory } from '../support/fake-factory.js';
import { assertStatusAddsUp, flush, setup } from '../support/harness.js';

test('status counts add up through a busy sequence', async () => {
  const factory = new FakeFactory({ hold: true });
  const { pool } = setup({ name: 's', size: 2, maxOverflow: 1, maxConnecting: 3 }, factory);
  const acquires = Array.from({ length: 5 }, () => pool.acquire());
  await flush();
  assert.deepEqual(
    { ...pool.status(), counters: undefined },
    { name: 's', size: 0, idle: 0, inUse: 0, overflow: 0, pending: 5, connecting: 3, backoffMs: 0, max: 3, closed: false, counters: undefined },
  );
  for (const held of factory.held) held.open();
  await flush();
  assert.deepEqual([pool.status().size, pool.status().inUse, pool.status().pending, pool.status().connecting, pool.status().overflow], [3, 3, 2, 0, 1]);
  assertStatusAddsUp(pool, factory);
  const leases = await Promise.all(acquires.slice(0, 3));
  for (const lease of leases) lease.release();
  await Promise.all(acquires.slice(3)).then((rest) => rest.forEach((l) => l.release()));
  await flush();
  const s = pool.status();
  assert.deepEqual([s.size, s.idle, s.inUse, s.pending, s.overflow], [2, 2, 0, 0, 0]);
  assert.deepEqual(
    [s.counters.created, s.counters.destroyed, s.counters.acquired, s.counters.released],
    [3, 1, 5, 5],
  );
  assert.equal(s.counters.created - s.counters.destroyed, s.size);
  assertStatusAddsUp(pool, factory);
});

test('status() is a snapshot the caller cannot use to change the pool', async () => {
  const { pool } = setup();
  const s = pool.status();
  s.counters.acquired = 99;
  s.size = 99;
  assert.equal(pool.status().counters.acquired, 0);
  assert.equal(pool.status().size, 0);
});

test('counters record timeouts, aborts, rejections, create errors and validation failures', async () => {
  const factory = new FakeFactory({ onValidate: () => false });
  const { pool, clock } = setup({ size: 1, maxWaiters: 1, prePing: true, prePingBypassMs: 0, failFast: false }, factory);
  const lease = await pool.acquire();
  const timedOut = pool.acquire({ timeoutMs: 5 }).catch(() => 'timeout');
  await pool.acquire().catch(() => 'rejected');
  await clock.advance(5);
  assert.equal(await timedOut, 'timeout');
  await pool.acquire({ signal: AbortSignal.abort() }).catch(() => 'aborted');
  lease.release();
  await clock.advance(10);
  const replaced = pool.acquire(); // the idle one fails its ping and is replaced, after the backoff
  await clock.advance(125);
  await replaced;
  const c = pool.status().counters;
  assert.deepEqual([c.timeouts, c.rejected, c.aborted, c.validationFailures], [1, 1, 1, 1]);
});
