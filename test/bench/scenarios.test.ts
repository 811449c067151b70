import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Pool } from '../../src/core/index.js';
import { NullPool } from '../../src/core/index.js';
import type { ProgressSink } from '../../src/bench/progress.js';
import { loadTest, measure, poolVsNone, sweep, type TargetMaker } from '../../src/bench/scenarios.js';
import type { BenchTarget, TargetOptions } from '../../src/bench/target.js';

/**
 * A fake database: each query takes `queryMs`, at most `capacity` run at once (the rest queue, as on
 * a saturated server), and a connect costs `connectMs`. Real timers, so figures are approximate.
 */
function fakeDatabase(spec: { queryMs: number; connectMs: number; capacity: number; failOn?: string }): TargetMaker & { opened: () => number } {
  let running = 0;
  let opened = 0;
  const queue: (() => void)[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const runQuery = async (sql: string) => {
    if (sql === spec.failOn) throw Object.assign(new Error(`syntax error in ${sql}`), { code: '42601' });
    if (running >= spec.capacity) await new Promise<void>((r) => queue.push(r));
    running++;
    try {
      await sleep(spec.queryMs);
    } finally {
      running--;
      queue.shift()?.();
    }
    return { rows: [] };
  };
  const factory = {
    create: async () => {
      opened++;
      await sleep(spec.connectMs);
      return { query: runQuery };
    },
    destroy: () => undefined,
  };
  const make = (options: TargetOptions): BenchTarget => {
    const { poolClass, ...rest } = options;
    const pool = poolClass === 'null' ? new NullPool(factory, rest) : new Pool(factory, rest);
    return {
      dialect: 'postgres',
      url: 'fake://',
      query: (sql) => pool.use((c) => c.query(sql)),
      status: () => pool.status(),
      close: () => pool.close(),
    };
  };
  return Object.assign(make, { opened: () => opened });
}

function recordingProgress(): ProgressSink & { events: string[] } {
  const events: string[] = [];
  return { events, start: (label, total) => events.push(`start ${label} ${total}`), update: () => undefined, finish: (s) => events.push(`finish ${s}`) };
}

describe('scenarios', () => {
  it('pool vs none: connecting per query is slower by about the connect cost', async () => {
    const db = fakeDatabase({ queryMs: 1, connectMs: 15, capacity: 100 });
    const began = performance.now();
    let pooledTimedFrom = 0;
    const progress = { start: (label: string) => void (label.endsWith('pooled') && (pooledTimedFrom = performance.now())), update: () => undefined, finish: () => undefined };
    const result = await poolVsNone(db, { sql: 'SELECT 1', pooledQueries: 60, unpooledQueries: 15 }, { progress });
    // The pooled side is timed only after its default warm-up of 1 s (20 statements would take ~40 ms).
    assert.ok(pooledTimedFrom - began >= 1_000, `pooled side timed from ${pooledTimedFrom - began} ms`);
    assert.equal(result.pooled.queries, 60);
    assert.equal(result.unpooled.queries, 15);
    assert.ok(result.speedup > 3, `speedup ${result.speedup}`);
    assert.ok(result.unpooled.latency.p50 >= 15, `unpooled p50 ${result.unpooled.latency.p50}`);
    // The pooled side opened one connection; the unpooled side one per query, warm-up included.
    assert.equal(db.opened(), 1 + 15 + 2);
  });

  it('load test: runs workers x queries and reads the mean hold time back through Little\'s law', async () => {
    const db = fakeDatabase({ queryMs: 10, connectMs: 1, capacity: 100 });
    const progress = recordingProgress();
    const result = await loadTest(db, { sql: 'q', workers: 8, queriesPerWorker: 10, poolSize: 4 }, { progress });
    assert.equal(result.queries, 80);
    assert.equal(result.workers, 8);
    assert.equal(result.poolSize, 4);
    // 4 connections x 10 ms: about 400 q/s, and 8 workers on 4 connections wait about as long as they run.
    assert.ok(result.qps > 100 && result.qps < 450, `qps ${result.qps}`);
    assert.ok(result.meanHoldMs > 8 && result.meanHoldMs < 50, `hold ${result.meanHoldMs}`);
    assert.ok(result.latency.p50 > result.meanHoldMs * 1.3, 'latency includes the wait for a connection');
    assert.ok(result.maxPending > 0);
    assert.deepEqual(progress.events.map((e) => e.split(' ')[0]), ['start', 'finish']);
  });

  it('sweep: throughput grows with the pool until the database saturates; the knee is there', async () => {
    const db = fakeDatabase({ queryMs: 8, connectMs: 1, capacity: 4 });
    const result = await sweep(db, { sql: 'q', sizes: [1, 2, 4, 8], workers: 8, durationMs: 300 });
    assert.deepEqual(result.steps.map((s) => s.poolSize), [1, 2, 4, 8]);
    const qps = result.steps.map((s) => s.qps);
    // Real timers on a busy 2-core machine: assert the shape, not exact figures (findKnee's own
    // tests pin the arithmetic). Expected about 125, 250, 500, 500 q/s.
    assert.ok(qps[2]! > qps[0]! * 2, `qps ${qps}`);
    assert.ok(result.knee !== undefined && result.knee.poolSize >= 4, `knee ${result.knee?.poolSize}, qps ${qps}`);
  });

  it('warmupMs keeps the untimed warm-up going that long, past warmupQueries, then times the queries', async () => {
    const db = fakeDatabase({ queryMs: 1, connectMs: 1, capacity: 10 });
    const target = db({ size: 1 });
    let timedFrom = 0;
    const progress = { start: () => void (timedFrom = performance.now()), update: () => undefined, finish: () => undefined };
    const started = performance.now();
    const result = await measure(target, { sql: 'q', workers: 1, queries: 10, warmupQueries: 20, warmupMs: 150, label: 'x' }, { progress });
    await target.close();
    // 20 queries of ~1 ms end well before 150 ms; only warmupMs can hold the timed part back this long.
    assert.ok(timedFrom - started >= 150, `timed from ${timedFrom - started} ms`);
    assert.equal(result.queries, 10);
    // warmupMs alone, with no warm-up count, still warms up.
    const second = db({ size: 1 });
    const again = performance.now();
    await measure(second, { sql: 'q', workers: 1, queries: 10, warmupQueries: 0, warmupMs: 150, label: 'x' }, { progress });
    await second.close();
    assert.ok(timedFrom - again >= 150, `timed from ${timedFrom - again} ms`);
  });

  it('the first failing query ends the run with its error', async () => {
    const db = fakeDatabase({ queryMs: 1, connectMs: 1, capacity: 10, failOn: 'bad' });
    await assert.rejects(loadTest(db, { sql: 'bad', workers: 2, queriesPerWorker: 5, poolSize: 2 }), /syntax error in bad/);
  });

  it('an aborted signal stops the workers and rejects', async () => {
    const db = fakeDatabase({ queryMs: 5, connectMs: 1, capacity: 10 });
    const target = db({ size: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 100);
    const started = performance.now();
    await assert.rejects(measure(target, { sql: 'q', workers: 2, durationMs: 10_000, warmupQueries: 0, label: 'x' }, { signal: controller.signal }), /stop/);
    assert.ok(performance.now() - started < 2_000);
    await target.close();
  });
});
