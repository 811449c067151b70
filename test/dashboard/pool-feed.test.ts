// PoolFeed on a hand-driven pool: which events are listed, how bursts fold, when a recovery is
// declared, and what of the settings is shown. No database, no timers: the clock is a variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCounters, type PoolStatus } from '../../src/core/stats.js';
import { PoolCollector } from '../../src/monitor/index.js';
import { MAX_EVENTS, PoolFeed, type FeedEvent } from '../../src/monitor/dashboard/pool-feed.js';

function fakePool() {
  const listeners = new Map<string, ((payload: any) => void)[]>();
  const status: PoolStatus = { name: 'fake', size: 0, idle: 0, inUse: 0, overflow: 0, pending: 0, connecting: 0, backoffMs: 0, max: 4, closed: false, counters: newCounters() };
  const pool = {
    name: 'fake',
    status: () => structuredClone(status),
    options: { size: 4, maxOverflow: 0, acquireTimeoutMs: 1_000, maxWaiters: Infinity, prePing: true, order: 'lifo', logger: { warn() {} }, clock: {}, random: Math.random },
    on(event: string, listener: (payload: any) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () => listeners.set(event, (listeners.get(event) ?? []).filter((l) => l !== listener));
    },
  };
  const emit = (event: string, payload: any) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  return { pool, status, emit, listeners };
}

test('bursts of failed connects fold into one line a second; the first connect after them is a recovery', () => {
  const { pool, status, emit, listeners } = fakePool();
  let now = 1_000;
  const sent: FeedEvent[] = [];
  const feed = new PoolFeed(new PoolCollector(pool as any), (e) => sent.push(e), { now: () => now });
  const refused = new Error('connect ECONNREFUSED 127.0.0.1:5432 for postgres://app:hunter2@db/app');
  for (let i = 0; i < 5; i++) {
    emit('connection-error', { pool: 'fake', id: undefined, phase: 'create', error: refused });
    status.counters.createErrors++;
    now += 100;
  }
  now += 1_000;
  emit('connection-error', { pool: 'fake', id: undefined, phase: 'create', error: refused });
  emit('connection-error', { pool: 'fake', id: 3, phase: 'idle', error: new Error('not a connect') });
  emit('connect', { pool: 'fake', id: 4, connection: {}, durationMs: 3 });
  emit('connect', { pool: 'fake', id: 5, connection: {}, durationMs: 3 });
  const events = feed.events();
  assert.deepEqual(events.map((e) => [e.kind, e.count]), [['connect-failed', 5], ['connect-failed', 1], ['recovered', 1]]);
  assert.match(events[2]!.message, /after 6 failed connects over 1\.5 s/);
  assert.equal(new Set(sent.map((e) => e.id)).size, 3, 'a folded event is sent again under its id');
  assert.doesNotMatch(JSON.stringify(sent), /hunter2/);
  feed.stop();
  assert.equal([...listeners.values()].flat().length, 5, "only the collector's own listeners remain");
});

test('the list is bounded; a leak keeps its stack; the settings are plain values (no limit as null, no functions)', () => {
  const { pool, emit } = fakePool();
  const feed = new PoolFeed(new PoolCollector(pool as any), () => undefined);
  emit('leak', { pool: 'fake', id: 1, heldMs: 5_000.4, stack: 'Error\n    at handler (app.js:10:3)' });
  for (let i = 0; i < MAX_EVENTS + 10; i++) emit('invalidate', { pool: 'fake', id: i, reason: new Error(`bad ${i}`) });
  const events = feed.events();
  assert.equal(events.length, MAX_EVENTS);
  assert.equal(events[0]!.kind, 'invalidate', 'the oldest went first');
  const { pool: pool2, emit: emit2 } = fakePool();
  const feed2 = new PoolFeed(new PoolCollector(pool2 as any), () => undefined);
  emit2('leak', { pool: 'fake', id: 1, heldMs: 5_000.4, stack: 'Error\n    at handler (app.js:10:3)' });
  assert.match(feed2.events()[0]!.stack!, /app\.js:10:3/);
  assert.match(feed2.events()[0]!.message, /5000 ms/);
  assert.deepEqual(feed.config(), { size: 4, maxOverflow: 0, acquireTimeoutMs: 1_000, prePing: true, order: 'lifo', maxWaiters: null });
});

test('points: rates per second over the tick, connections by state, health from the status', () => {
  const { pool, status } = fakePool();
  let now = 0;
  const feed = new PoolFeed(new PoolCollector(pool as any), () => undefined, { now: () => now });
  now = 2_000;
  status.counters.timeouts = 4;
  status.counters.createErrors = 1;
  Object.assign(status, { size: 4, inUse: 4, idle: 0, pending: 3 });
  const point = feed.point();
  assert.equal(point.timeoutsPerSec, 2);
  assert.equal(point.createErrorsPerSec, 0.5);
  assert.deepEqual([point.used, point.idle, point.pending, point.max], [4, 0, 3, 4]);
  assert.equal(point.health, 'degraded');
  assert.ok(point.reasons.some((r) => r.code === 'saturated'));
  now = 3_000;
  assert.equal(feed.point().timeoutsPerSec, 0, 'the next tick starts from here');
});
