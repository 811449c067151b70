import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { Histogram, MetricsRegistry, PoolCollector, checkHealth, monitorHandler, prometheusText } from '../../src/monitor/index.js';
import { requireDatabase, urls } from '../support/databases.js';

const SECRET = 'hv-Mon1tor-S3cret';
const engines: Engine[] = [];
function open(url: string, options = {}): Engine {
  const engine = createEngine(url, { acquireTimeoutMs: 2_000, ...options });
  engines.push(engine);
  return engine;
}
const unreachable = () => urls.postgres.replace('//', `//postgres:${SECRET}@`).replace(/@[^/@]*\//, '@127.0.0.1:1/');

before(async () => {
  await requireDatabase(urls.postgres);
});
after(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 500 })));
});

test('histogram buckets are cumulative and the quantile is a bucket bound', () => {
  const h = new Histogram([1, 10, 100]);
  for (const ms of [0.5, 5, 5, 50, 500]) h.observe(ms);
  const s = h.snapshot();
  assert.deepEqual(s.buckets.map((b) => b.count), [1, 3, 4]);
  assert.equal(s.count, 5);
  assert.equal(s.sumMs, 560.5);
  assert.equal(h.quantile(0.5), 10);
  assert.equal(h.quantile(1), Infinity, 'the observation above every bound');
  assert.equal(new Histogram().quantile(0.5), undefined);
});

test('a collector counts every checkout, return and connect of a real pool, and Prometheus text agrees', async () => {
  const db = open(urls.postgres, { size: 2, name: 'mon-pg' });
  const collector = new PoolCollector(db.pool);
  await Promise.all(Array.from({ length: 20 }, () => db.query('SELECT pg_sleep(0.002)')));
  const m = collector.snapshot();
  assert.equal(m.waitMs.count, 20);
  assert.equal(m.useMs.count, 20);
  assert.equal(m.connectMs.count, m.status.counters.created);
  assert.ok(m.status.counters.created <= 2);
  assert.ok(m.waitMs.buckets.at(-1)!.count <= 20);
  const text = prometheusText([collector]);
  assert.match(text, /^havuz_pool_acquired_total\{pool="mon-pg"\} 20$/m);
  assert.match(text, /^havuz_pool_max\{pool="mon-pg"\} 2$/m);
  assert.match(text, /^havuz_pool_wait_seconds_count\{pool="mon-pg"\} 20$/m);
  assert.match(text, /^havuz_pool_wait_seconds_bucket\{pool="mon-pg",le="\+Inf"\} 20$/m);
  const buckets = [...text.matchAll(/^havuz_pool_use_seconds_bucket\{pool="mon-pg",le="[^"]+"\} (\d+)$/gm)].map((x) => Number(x[1]));
  assert.deepEqual(buckets, [...buckets].sort((a, b) => a - b), 'cumulative buckets never decrease');
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
    assert.match(line, /^[a-z_]+\{[^}]*\} [0-9.e+-]+$/, `a valid sample line: ${line}`);
  }
  collector.stop();
  await db.query('SELECT 1');
  assert.equal(collector.snapshot().waitMs.count, 20, 'stop() detaches the listeners');
});

test('health is healthy for a live database and unhealthy (unreachable), with a typed code and no password, for a dead one', async () => {
  const up = await checkHealth(open(urls.postgres));
  assert.equal(up.status, 'healthy');
  assert.deepEqual(up.reasons, []);
  assert.equal(up.error, undefined);
  assert.ok(up.latencyMs! >= 0);

  const down = await checkHealth(open(unreachable()));
  assert.equal(down.status, 'unhealthy');
  assert.deepEqual(down.reasons.map((r) => r.code), ['unreachable']);
  assert.equal(down.error?.code, 'HAVUZ_CREATE_FAILED');
  assert.doesNotMatch(JSON.stringify(down), new RegExp(SECRET));
});

test('a saturated pool is degraded at once, without a probe waiting in line behind the holders', async () => {
  const db = open(urls.postgres, { size: 1 });
  const held = await db.connect();
  const acquiredBefore = db.status().counters.acquired;
  const report = await checkHealth(db, { timeoutMs: 150 });
  assert.equal(report.status, 'degraded');
  assert.deepEqual(report.reasons.map((r) => r.code), ['saturated']);
  assert.equal(report.latencyMs, undefined, 'no probe ran');
  assert.equal(db.status().counters.acquired, acquiredBefore, 'the check took no connection');
  assert.equal(report.pool.inUse, 1);
  held.release();
  assert.equal((await checkHealth(db)).status, 'healthy');
});

test('the HTTP handler serves /health (200, then 503 with a dead database) and /metrics', async () => {
  const live = open(urls.postgres, { name: 'mon-live' });
  const dead = open(unreachable(), { name: 'mon-dead' });
  const registry = new MetricsRegistry([live]);
  await live.query('SELECT 1');
  const server = createServer(monitorHandler(registry, { health: { timeoutMs: 1_000 } }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const ok = await fetch(`${base}/health`);
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { status: string }).status, 'healthy');

    registry.add(dead);
    const bad = await fetch(`${base}/health`);
    assert.equal(bad.status, 503);
    const body = await bad.text();
    assert.doesNotMatch(body, new RegExp(SECRET));
    assert.match(body, /"name":"mon-dead","url":"postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test[^"]*","status":"unhealthy"/);

    const metrics = await fetch(`${base}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    // The health checks above checked out connections too; the scrape counts them all.
    assert.match(text, new RegExp(`havuz_pool_acquired_total\\{pool="mon-live"\\} ${live.status().counters.acquired}\\n`));
    assert.doesNotMatch(text, new RegExp(SECRET));
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    registry.stop();
  }
});
