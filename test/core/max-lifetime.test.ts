import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../support/fake-clock.js';
import { flush, setup } from '../support/harness.js';

const life = { maxLifetimeMs: 10_000, maxLifetimeJitter: 0, idleTimeoutMs: 0, housekeepingMs: 100 };

test('an idle connection past maxLifetimeMs is closed by the housekeeper, and replaced on demand', async () => {
  const { pool, clock, factory } = setup(life);
  const reasons: string[] = [];
  pool.on('close', (e) => reasons.push(e.reason));
  const first = await pool.acquire();
  const id = first.connectionId;
  first.release();
  await clock.advance(9_900);
  assert.equal(factory.destroyed, 0, 'not before its time');
  await clock.advance(100);
  assert.deepEqual(reasons, ['max-lifetime']);
  assert.equal(pool.status().size, 0);
  const next = await pool.acquire();
  assert.notEqual(next.connectionId, id);
});

test('a checked-out connection that expires is closed when it comes back, not reused', async () => {
  const { pool, clock, factory } = setup(life);
  const lease = await pool.acquire();
  const id = lease.connectionId;
  await clock.advance(20_000);
  assert.equal(lease.released, false, 'a held connection is never taken away');
  lease.release();
  await flush();
  assert.equal(factory.destroyed, 1);
  assert.notEqual((await pool.acquire()).connectionId, id);
});

test('an expired idle connection is skipped at checkout even between housekeeping runs', async () => {
  const { pool, clock } = setup({ ...life, housekeepingMs: 60_000 });
  const lease = await pool.acquire();
  const id = lease.connectionId;
  lease.release();
  await clock.advance(10_000);
  assert.notEqual((await pool.acquire()).connectionId, id);
});

test('jitter spreads expiry over [maxLifetime * (1 - jitter), maxLifetime]; the same seed gives the same schedule', async () => {
  const run = async (seed: number): Promise<number[]> => {
    const { pool, clock } = setup({ size: 20, maxLifetimeMs: 100_000, maxLifetimeJitter: 0.1, idleTimeoutMs: 0, housekeepingMs: 100, maxConnecting: 20, random: seededRandom(seed) });
    const leases = await Promise.all(Array.from({ length: 20 }, () => pool.acquire()));
    const start = clock.now();
    for (const lease of leases) lease.release();
    const closedAfter: number[] = [];
    pool.on('close', (e) => e.reason === 'max-lifetime' && closedAfter.push(clock.now() - start));
    await clock.advance(100_100);
    return closedAfter;
  };
  const a = await run(7);
  assert.equal(a.length, 20);
  for (const ms of a) assert.ok(ms >= 90_000 && ms <= 100_100, `expired after ${ms} ms`);
  assert.ok(new Set(a).size >= 10, `expiries spread out: ${new Set(a).size} distinct`);
  assert.deepEqual(await run(7), a);
  assert.notDeepEqual(await run(8), a);
});

test('without jitter every connection opened together expires together', async () => {
  const { pool, clock } = setup({ ...life, size: 5, maxConnecting: 5 });
  const leases = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
  for (const lease of leases) lease.release();
  const times = new Set<number>();
  pool.on('close', () => times.add(clock.now()));
  await clock.advance(10_000);
  assert.equal(times.size, 1);
});
