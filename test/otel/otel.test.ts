import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.js';
import { MetricsRegistry } from '../../src/monitor/index.js';
import { instrumentOpenTelemetry, OPERATION_DURATION_BUCKETS_S } from '../../src/otel/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { DataPointType, memoryMeter, pointOf } from '../support/otel.js';

const SECRET = 'hv-0tel-S3cret';
const engines: Engine[] = [];
const meters: ReturnType<typeof memoryMeter>[] = [];
function open(name: string, options: EngineOptions = {}): Engine {
  const engine = createEngine(urls.postgres.replace('//postgres@', `//postgres:${SECRET}@`), { name, acquireTimeoutMs: 2_000, size: 2, ...options });
  engines.push(engine);
  return engine;
}
function meter() {
  const m = memoryMeter();
  meters.push(m);
  return m;
}
const POOL = 'db.client.connection.pool.name';

before(async () => {
  await requireDatabase(urls.postgres);
});
after(async () => {
  await Promise.all(meters.map((m) => m.shutdown()));
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 500 })));
});

test('the connection-pool metrics of the semantic conventions: names, instruments, units and attributes, on the real PostgreSQL', async () => {
  const { meterProvider, collect } = meter();
  const db = open('otel-pg', { minIdle: 1 });
  const otel = instrumentOpenTelemetry(db, { meterProvider });
  await Promise.all(Array.from({ length: 6 }, () => db.query('SELECT pg_sleep(0.005)')));
  const status = db.status();
  const m = await collect();

  const count = m.get('db.client.connection.count');
  assert.equal(count?.descriptor.unit, '{connection}');
  assert.equal(count?.dataPointType, DataPointType.SUM);
  assert.equal((count as any).isMonotonic, false, 'an UpDownCounter');
  const idle = pointOf(count, { [POOL]: 'otel-pg', 'db.client.connection.state': 'idle' });
  const used = pointOf(count, { [POOL]: 'otel-pg', 'db.client.connection.state': 'used' });
  assert.equal(idle?.value, status.idle);
  assert.equal(used?.value, status.inUse);
  assert.equal(idle!.value + used!.value, status.size);

  for (const [name, unit, expected] of [
    ['db.client.connection.idle.max', '{connection}', 2],
    ['db.client.connection.idle.min', '{connection}', 1],
    ['db.client.connection.max', '{connection}', 2],
    ['db.client.connection.pending_requests', '{request}', 0],
  ] as const) {
    const metric = m.get(name);
    assert.equal(metric?.descriptor.unit, unit, name);
    assert.equal((metric as any).isMonotonic, false, `${name} is an UpDownCounter`);
    assert.equal(pointOf(metric, { [POOL]: 'otel-pg' })?.value, expected, name);
  }
  const timeouts = m.get('db.client.connection.timeouts');
  assert.equal(timeouts?.descriptor.unit, '{timeout}');
  assert.equal((timeouts as any).isMonotonic, true, 'a Counter');
  assert.equal(pointOf(timeouts, { [POOL]: 'otel-pg' })?.value, 0);

  for (const [name, count] of [
    ['db.client.connection.create_time', status.counters.created],
    ['db.client.connection.wait_time', 6],
    ['db.client.connection.use_time', 6],
  ] as const) {
    const metric = m.get(name);
    assert.equal(metric?.descriptor.unit, 's', `${name} in seconds`);
    assert.equal(metric?.dataPointType, DataPointType.HISTOGRAM, name);
    const point = pointOf(metric, { [POOL]: 'otel-pg' });
    assert.equal(point?.value.count, count, name);
    assert.deepEqual(Object.keys(point!.attributes), [POOL], `${name} carries the pool name only`);
  }
  // Each statement slept 5 ms on its connection: the use time is at least that, in seconds.
  assert.ok(pointOf(m.get('db.client.connection.use_time'), { [POOL]: 'otel-pg' })!.value.min >= 0.005);
  otel.stop();
});

test('db.client.operation.duration per statement: system, namespace, server, operation, and the error type on failure', async () => {
  const { meterProvider, collect } = meter();
  const db = open('otel-ops');
  const otel = instrumentOpenTelemetry(db, { meterProvider });
  await db.query('SELECT 1');
  await db.query('SELECT 2');
  await assert.rejects(db.query('SELECT * FROM havuz_no_such_table_otel'));
  await db.query('CREATE TEMP TABLE t (x int); INSERT INTO t VALUES (1)');
  const m = await collect();
  const duration = m.get('db.client.operation.duration');
  assert.equal(duration?.descriptor.unit, 's');
  assert.equal(duration?.dataPointType, DataPointType.HISTOGRAM);
  const database = new URL(urls.postgres).pathname.slice(1);
  const ok = pointOf(duration, { 'db.operation.name': 'SELECT', 'error.type': undefined });
  assert.deepEqual(ok?.attributes, {
    'db.system.name': 'postgresql',
    'db.namespace': database,
    'server.address': '127.0.0.1',
    'server.port': 5432,
    'db.operation.name': 'SELECT',
  });
  assert.equal(ok?.value.count, 2);
  assert.deepEqual(ok?.value.buckets.boundaries, OPERATION_DURATION_BUCKETS_S, "the conventions' bucket boundaries");
  const failed = pointOf(duration, { 'error.type': '42P01' });
  assert.equal(failed?.attributes['db.response.status_code'], '42P01');
  assert.equal(failed?.value.count, 1);
  const batch = duration!.dataPoints.find((p) => p.attributes['db.operation.name'] === undefined);
  assert.ok(batch, 'two statements in one: no operation name is guessed');
  assert.doesNotMatch(JSON.stringify(duration), new RegExp(SECRET));
  otel.stop();
});

test('timeouts are counted, pools added to a registry later are exported, and stop() ends the recording', async () => {
  const { meterProvider, collect } = meter();
  const registry = new MetricsRegistry();
  const otel = instrumentOpenTelemetry(registry, { meterProvider });
  const a = open('otel-late', { size: 1 });
  registry.add(a);
  const held = await a.connect();
  await assert.rejects(a.connect({ timeoutMs: 30 }), (e: any) => e.code === 'HAVUZ_ACQUIRE_TIMEOUT');
  let m = await collect();
  assert.equal(pointOf(m.get('db.client.connection.timeouts'), { [POOL]: 'otel-late' })?.value, 1);
  assert.equal(pointOf(m.get('db.client.connection.count'), { [POOL]: 'otel-late', 'db.client.connection.state': 'used' })?.value, 1);
  held.release();
  const waits = pointOf(m.get('db.client.connection.wait_time'), { [POOL]: 'otel-late' })!.value.count;

  otel.stop();
  await a.query('SELECT 1');
  m = await collect();
  assert.equal(pointOf(m.get('db.client.connection.wait_time'), { [POOL]: 'otel-late' })?.value.count ?? waits, waits, 'nothing recorded after stop()');
  registry.stop();
});

test('bad input: a meter provider that is not one is refused, naming the option', () => {
  const db = open('otel-bad');
  assert.throws(() => instrumentOpenTelemetry(db, { meterProvider: {} as any }), (e: any) => e.code === 'HAVUZ_INVALID_OPTION' && e.option === 'meterProvider');
});
