import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, test } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { MetricsRegistry, registerPromClient } from '../../src/monitor/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { promtoolCheck } from './promtool.js';

const SECRET = 'hv-Pr0m-S3cret';
const engines: Engine[] = [];
function open(name: string, options: EngineOptions = {}): Engine {
  const engine = createEngine(urls.postgres.replace('//postgres@', `//postgres:${SECRET}@`), { name, acquireTimeoutMs: 2_000, size: 2, ...options });
  engines.push(engine);
  return engine;
}
const value = (text: string, series: string): number | undefined => {
  const escaped = series.replace(/[{}()[\]|.+*?^$\\]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m === null ? undefined : Number(m[1]);
};

before(async () => {
  await requireDatabase(urls.postgres);
});
after(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 500 })));
});

test('one registry over two engines and a bare pool: one family per name, a series per pool, promtool-clean', async (t) => {
  const a = open('prom-a');
  const b = open('prom-b');
  const bare = open('prom-bare');
  const registry = new MetricsRegistry([a, b, bare.pool]);
  await Promise.all([...Array.from({ length: 6 }, () => a.query('SELECT 1')), b.query('SELECT 1'), bare.query('SELECT 1')]);
  await assert.rejects(a.query('SELECT * FROM havuz_no_such_table_prom'));
  const text = registry.prometheusText();
  promtoolCheck(t, text);
  assert.equal(text.match(/^# TYPE havuz_pool_acquired_total counter$/gm)?.length, 1, 'one family, whatever the number of pools');
  assert.equal(value(text, 'havuz_pool_acquired_total{pool="prom-a"}'), 7);
  assert.equal(value(text, 'havuz_pool_acquired_total{pool="prom-b"}'), 1);
  assert.equal(value(text, 'havuz_pool_acquired_total{pool="prom-bare"}'), 1);
  assert.equal(value(text, 'havuz_query_duration_seconds_count{pool="prom-a"}'), 7, 'statements of an engine are timed');
  assert.equal(value(text, 'havuz_query_errors_total{pool="prom-a"}'), 1);
  assert.equal(value(text, 'havuz_query_duration_seconds_count{pool="prom-bare"}'), 0, 'a bare pool has no statements to time');
  assert.equal(value(text, 'havuz_pool_wait_seconds_count{pool="prom-a"}'), 7);
  assert.doesNotMatch(text, new RegExp(SECRET));
  assert.doesNotMatch(inspect(registry, { depth: 10, showHidden: true }) + inspect(registry.collectors(), { depth: 10, showHidden: true }), new RegExp(SECRET));
  registry.stop();
});

test('prom-client: registered into the app\'s Registry beside its own metrics, read on each scrape, never counted twice', async (t) => {
  const a = open('pc-a');
  const b = open('pc-b');
  const registry = new MetricsRegistry([a, b]);
  const prom = new Registry();
  const own = new Counter({ name: 'app_requests_total', help: 'Requests.', registers: [prom] });
  own.inc(3);
  const unregister = registerPromClient(prom, registry);
  await Promise.all(Array.from({ length: 5 }, () => a.query('SELECT 1')));
  await b.query('SELECT 1');

  const first = await prom.metrics();
  promtoolCheck(t, first);
  assert.equal(value(first, 'app_requests_total'), 3);
  assert.equal(value(first, 'havuz_pool_acquired_total{pool="pc-a"}'), 5);
  assert.equal(value(first, 'havuz_pool_acquired_total{pool="pc-b"}'), 1);
  assert.equal(value(first, 'havuz_pool_wait_seconds_count{pool="pc-a"}'), 5);
  assert.equal(first.match(/^# TYPE havuz_pool_wait_seconds histogram$/gm)?.length, 1);

  await a.query('SELECT 1');
  const second = await prom.metrics();
  assert.equal(value(second, 'havuz_pool_acquired_total{pool="pc-a"}'), 6, 'collected on scrape');
  assert.equal(value(second, 'havuz_pool_acquired_total{pool="pc-a"}'), value(registry.prometheusText(), 'havuz_pool_acquired_total{pool="pc-a"}'), 'the same numbers as the text exposition');
  for (const name of ['havuz_pool_acquired_total', 'havuz_pool_wait_seconds']) {
    const bucketsOrValue = registry.prometheusText().split('\n').filter((l) => l.startsWith(name) && !l.startsWith('#'));
    assert.deepEqual(second.split('\n').filter((l) => l.startsWith(name)), bucketsOrValue, `${name}: prom-client serves exactly havuz's samples`);
  }

  // A pool added to the registry later shows up on the next scrape, with no new registration.
  const c = open('pc-c');
  registry.add(c);
  await c.query('SELECT 1');
  assert.equal(value(await prom.metrics(), 'havuz_pool_acquired_total{pool="pc-c"}'), 1);

  // Registering the same metrics twice would double every series: refused, naming the registry.
  assert.throws(() => registerPromClient(prom, registry), (e: any) => e.code === 'HAVUZ_INVALID_OPTION' && /havuz_pool_connections/.test(e.message));
  unregister();
  assert.equal(value(await prom.metrics(), 'havuz_pool_acquired_total{pool="pc-a"}'), undefined);
  assert.equal(value(await prom.metrics(), 'app_requests_total'), 3, "the app's own metrics stay");
  registerPromClient(prom, registry)();
  assert.doesNotMatch(second, new RegExp(SECRET));

  // OpenMetrics output goes through prom-client's own renaming of counters.
  const open_ = new (Registry as unknown as new (contentType: string) => Registry)(Registry.OPENMETRICS_CONTENT_TYPE);
  registerPromClient(open_, registry);
  const om = await open_.metrics();
  assert.match(om, /^havuz_pool_acquired_total\{pool="pc-a"\} 6$/m);
  assert.match(om, /^# TYPE havuz_pool_acquired counter$/m);
  registry.stop();
});

test('a registry refuses a second pool under a name it has, returns the same collector for the same pool, and forgets removed ones', () => {
  const registry = new MetricsRegistry();
  const a = open('dup');
  const other = open('dup');
  const collector = registry.add(a);
  assert.equal(registry.add(a), collector);
  assert.equal(registry.add(a.pool), collector, 'the engine and its pool are one source');
  assert.throws(() => registry.add(other), (e: any) => e.code === 'HAVUZ_INVALID_OPTION' && e.option === 'name');
  assert.equal(registry.remove(a), true);
  assert.equal(registry.remove('dup'), false);
  assert.doesNotMatch(registry.prometheusText(), /pool="dup"/);
  assert.throws(() => new MetricsRegistry([], { prefix: 'bad-prefix' }), (e: any) => e.code === 'HAVUZ_INVALID_OPTION' && e.option === 'prefix');
  assert.throws(() => registerPromClient({} as any, registry), (e: any) => e.code === 'HAVUZ_INVALID_OPTION');
});
