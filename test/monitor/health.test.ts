import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newCounters, type PoolStatus } from '../../src/core/stats.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { PoolCollector, checkHealth, gradePool, poolHealth } from '../../src/monitor/index.js';
import { RecentCounts } from '../../src/monitor/recent.js';
import { requireDatabase, urls } from '../support/databases.js';

const engines: Engine[] = [];
function open(url: string, options: EngineOptions = {}): Engine {
  const engine = createEngine(url, { acquireTimeoutMs: 2_000, ...options });
  engines.push(engine);
  return engine;
}
const SECRET = 'hv-Health-S3cret';
const dead = () => urls.postgres.replace(/@[^/@]*\//, '@127.0.0.1:1/');
const status = (over: Partial<PoolStatus>): PoolStatus => ({
  name: 'p', size: 2, idle: 1, inUse: 1, overflow: 0, pending: 0, connecting: 0, backoffMs: 0, max: 4, closed: false, counters: newCounters(), ...over,
});
const codes = (r: { reasons: { code: string }[] }) => r.reasons.map((x) => x.code);

before(async () => {
  await requireDatabase(urls.postgres);
});
after(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 500 })));
});

test('grading: each reason and the status it leads to', () => {
  assert.deepEqual(gradePool(status({}), { timeouts: 0, createErrors: 0 }), { status: 'healthy', reasons: [] });
  assert.deepEqual(codes(gradePool(status({ inUse: 4, idle: 0, size: 4 }), undefined)), ['saturated']);
  assert.equal(gradePool(status({ pending: 1 }), undefined).status, 'degraded');
  assert.deepEqual(codes(gradePool(status({ pending: 3 }), undefined, { maxWaiters: 5 })), [], 'a queue within maxWaiters is fine');
  assert.deepEqual(codes(gradePool(status({}), { timeouts: 2, createErrors: 0 })), ['timeouts']);
  assert.deepEqual(codes(gradePool(status({}), { timeouts: 0, createErrors: 1 })), ['create-failures'], 'connections are still open: degraded');
  const down = gradePool(status({ size: 0, idle: 0, inUse: 0, pending: 2 }), { timeouts: 0, createErrors: 3 });
  assert.deepEqual(codes(down), ['waiters', 'create-failures', 'unreachable']);
  assert.equal(down.status, 'unhealthy');
  assert.equal(gradePool(status({ closed: true }), undefined).status, 'unhealthy');
  assert.match(gradePool(status({}), { timeouts: 2, createErrors: 0 }, { recentMs: 30_000 }).reasons[0]!.message, /2 acquires timed out in the last 30 s/);
});

test('recent counts cover the window and forget what is older', () => {
  let now = 0;
  const counters = newCounters();
  const recent = new RecentCounts(() => counters, () => now);
  counters.timeouts = 2;
  now = 1_000;
  assert.deepEqual(recent.within(10_000), { timeouts: 2, createErrors: 0 });
  now = 11_000;
  assert.deepEqual(recent.within(10_000), { timeouts: 2, createErrors: 0 }, 'the window still reaches back before the timeouts');
  now = 21_500;
  counters.createErrors = 1;
  assert.deepEqual(recent.within(10_000), { timeouts: 0, createErrors: 1 });
  now = 40_000;
  assert.deepEqual(recent.within(10_000), { timeouts: 0, createErrors: 0 });
});

test('a real pool: saturated and timed out is degraded, and healthy again once the window has passed', async () => {
  const db = open(urls.postgres, { size: 1, name: 'grade-pg' });
  let now = 0;
  const collector = new PoolCollector(db, { now: () => now });
  const held = await db.connect();
  await assert.rejects(db.connect({ timeoutMs: 20 }), (e: any) => e.code === 'HAVUZ_ACQUIRE_TIMEOUT');
  const busy = await checkHealth(collector, { recentMs: 60_000 });
  assert.equal(busy.status, 'degraded');
  assert.deepEqual(codes(busy), ['saturated', 'timeouts']);
  assert.deepEqual(busy.recent, { timeouts: 1, createErrors: 0 });
  held.release();
  now = 30_000;
  assert.deepEqual(codes(await checkHealth(collector, { recentMs: 60_000 })), ['timeouts'], 'still within the window');
  now = 61_000;
  await checkHealth(collector, { recentMs: 60_000 });
  now = 122_000;
  const later = await checkHealth(collector, { recentMs: 60_000 });
  assert.equal(later.status, 'healthy', JSON.stringify(later.reasons));
  collector.stop();
});

test('unreachable: an engine whose probe cannot connect, and a bare pool with nothing open and failing connects', async () => {
  const engine = open(dead(), { name: 'grade-dead' });
  const report = await checkHealth(engine);
  assert.equal(report.status, 'unhealthy');
  assert.deepEqual(codes(report), ['unreachable']);
  assert.match(report.reasons[0]!.message, /the probe failed/);

  const bare = open(dead().replace('//postgres@', `//postgres:${SECRET}@`), { name: 'grade-dead-pool', acquireTimeoutMs: 200 });
  const collector = new PoolCollector(bare.pool);
  await assert.rejects(bare.pool.acquire());
  const pool = await checkHealth(collector);
  assert.equal(pool.status, 'unhealthy');
  assert.deepEqual(codes(pool), ['create-failures', 'unreachable']);
  // Why, not only how many: the last failed connect's code and message, in the reason and in `recent`.
  assert.match(pool.reasons[0]!.message, /connects? failed in the last 60 s; the last: .*ECONNREFUSED/);
  assert.equal(pool.recent?.lastConnectError?.code, 'HAVUZ_CREATE_FAILED');
  assert.match(pool.recent!.lastConnectError!.message, /ECONNREFUSED 127\.0\.0\.1:1/);
  assert.doesNotMatch(JSON.stringify(pool), new RegExp(SECRET));
  collector.stop();
});

test('the last connect error is only reported while connects fail within the window', async () => {
  let now = 0;
  const bare = open(dead(), { name: 'grade-dead-window', acquireTimeoutMs: 200 });
  const collector = new PoolCollector(bare.pool, { now: () => now });
  assert.deepEqual(collector.recent(60_000), { timeouts: 0, createErrors: 0 }, 'nothing failed yet');
  await assert.rejects(bare.pool.acquire());
  assert.ok(collector.recent(60_000).lastConnectError !== undefined);
  now = 61_000;
  collector.recent(60_000);
  now = 122_000;
  assert.equal(collector.recent(60_000).lastConnectError, undefined, 'the failures left the window');
  collector.stop();
});

test("the seed's /health/pool: SQLAlchemy's numbers and config from a typed call, for any pool class", async () => {
  const db = open(urls.postgres, { size: 3, maxOverflow: 2, acquireTimeoutMs: 5_000, maxLifetimeMs: 3_600_000 });
  const held = await db.connect();
  assert.deepEqual(poolHealth(db), {
    status: 'healthy',
    size: 3,
    checked_out: 1,
    overflow: -2,
    checked_in: 0,
    config: { pool_size: 3, max_overflow: 2, timeout: 5, recycle: 3600 },
  });
  held.release();
  const never = open(urls.postgres, { maxLifetimeMs: 0 });
  assert.equal(poolHealth(never).config.recycle, -1, 'never recycled, as SQLAlchemy writes it');
  const sqlite = open(urls.sqliteMemory);
  await sqlite.query('SELECT 1');
  assert.deepEqual(poolHealth(sqlite), {
    status: 'healthy', size: 1, checked_out: 0, overflow: 0, checked_in: 1,
    config: { pool_size: 1, max_overflow: 0, timeout: 2, recycle: -1 },
  });
});
