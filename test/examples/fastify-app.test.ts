import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildUsersApp } from '../../examples/fastify-app.js';
import { MetricsRegistry } from '../../src/monitor/index.js';
import { instrumentOpenTelemetry } from '../../src/otel/index.js';
import { requireDatabase, urls } from '../support/databases.js';
import { memoryMeter, pointOf } from '../support/otel.js';
import { promtoolCheck } from '../monitor/promtool.js';

const SECRET = 'hv-F4stify-S3cret';
const table = `ex_fastify_users_${process.pid}_${Date.now().toString(36)}`;
const url = urls.postgres.replace('//postgres@', `//postgres:${SECRET}@`);
const promRegistry = new Registry();
const metrics = new MetricsRegistry();
const meter = memoryMeter();
let app: FastifyInstance;
let base: string;

before(async () => {
  await requireDatabase(urls.postgres);
  app = await buildUsersApp({ url, table, promRegistry, metrics, engineOptions: { size: 2, acquireTimeoutMs: 20_000 } });
  instrumentOpenTelemetry(metrics, { meterProvider: meter.meterProvider });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
after(async () => {
  await app?.havuz.query(`DROP TABLE IF EXISTS ${table}`);
  await app?.close();
  await meter.shutdown();
});

const post = (body: unknown) => fetch(`${base}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('the users API: 201 then 409 on a duplicate email, 200 then 404 for a missing id, 400 on a bad body', async () => {
  const created = await post({ name: 'Ada', email: 'ada@example.com' });
  assert.equal(created.status, 201);
  const ada = (await created.json()) as { id: number; name: string; email: string };
  assert.equal(ada.name, 'Ada');
  const duplicate = await post({ name: 'Ada again', email: 'ada@example.com' });
  assert.equal(duplicate.status, 409);
  assert.deepEqual(await duplicate.json(), { detail: 'Email already registered' });
  assert.deepEqual(await (await fetch(`${base}/users/${ada.id}`)).json(), ada);
  const missing = await fetch(`${base}/users/${ada.id + 1000}`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { detail: 'User not found' });
  assert.equal((await post({ name: 'No email' })).status, 400);
  assert.equal((await fetch(`${base}/users/abc`)).status, 400);
});

test('/health/pool and /metrics of the running app; promtool passes on both expositions', async (t) => {
  const pool = (await (await fetch(`${base}/health/pool`)).json()) as Record<string, any>;
  assert.equal(pool.status, 'healthy');
  assert.deepEqual(pool.config, { pool_size: 2, max_overflow: 0, timeout: 20, recycle: 1800 });
  const served = await (await fetch(`${base}/metrics`)).text();
  assert.match(served, /^havuz_pool_acquired_total\{pool="users-db"\} \d+$/m);
  promtoolCheck(t, served);
  promtoolCheck(t, metrics.prometheusText());
  assert.doesNotMatch(served + JSON.stringify(pool), new RegExp(SECRET));
});

/** A series' value in a Prometheus exposition. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `${series} in the exposition`);
  return Number(line.split(' ')[1]);
}

async function waitFigures() {
  const text = metrics.prometheusText();
  const prom = await promRegistry.metrics();
  const otel = pointOf((await meter.collect()).get('db.client.connection.wait_time'), { 'db.client.connection.pool.name': 'users-db' })!.value;
  return {
    textCount: sample(text, 'havuz_pool_wait_seconds_count{pool="users-db"}'),
    textSum: sample(text, 'havuz_pool_wait_seconds_sum{pool="users-db"}'),
    textFast: sample(text, 'havuz_pool_wait_seconds_bucket{pool="users-db",le="0.0001"}'),
    promCount: sample(prom, 'havuz_pool_wait_seconds_count{pool="users-db"}'),
    promSum: sample(prom, 'havuz_pool_wait_seconds_sum{pool="users-db"}'),
    otelCount: otel.count as number,
    otelSum: otel.sum as number,
  };
}

test('proof: a load that saturates the pool turns health degraded and grows the wait-time histogram in Prometheus, prom-client and OpenTelemetry alike; healthy again after', async () => {
  const { id } = (await (await post({ name: 'Load', email: `load-${table}@example.com` })).json()) as { id: number };
  const before = await waitFigures();
  assert.equal((await (await fetch(`${base}/health`)).json() as any).status, 'healthy');

  // 64 connections on a pool of 2: nearly every request waits for a connection.
  const load = autocannon({ url: `${base}/users/${id}`, connections: 64, amount: 1_500 });
  const seen: { status: string; reasons: string[] }[] = [];
  let running = true;
  const finished = load.then((result) => {
    running = false;
    return result;
  });
  while (running) {
    const health = (await (await fetch(`${base}/health`)).json()) as { status: string; databases: { reasons: { code: string }[] }[] };
    seen.push({ status: health.status, reasons: health.databases[0]!.reasons.map((r) => r.code) });
  }
  const result = await finished;
  assert.equal(result.non2xx, 0, 'every request answered 200');
  assert.equal(result.errors, 0);

  const degraded = seen.filter((s) => s.status === 'degraded');
  assert.ok(degraded.length > 0, `health was degraded under load: ${JSON.stringify(seen)}`);
  assert.ok(degraded.every((s) => s.reasons.every((r) => r === 'saturated' || r === 'waiters')), JSON.stringify(degraded));
  assert.ok(!seen.some((s) => s.status === 'unhealthy'));

  const afterLoad = await waitFigures();
  const checkouts = afterLoad.textCount - before.textCount;
  assert.ok(checkouts >= 1_500, `every request checked out a connection (${checkouts})`);
  assert.ok(afterLoad.textSum > before.textSum, 'time was spent waiting');
  assert.ok(afterLoad.textCount - afterLoad.textFast > before.textCount - before.textFast + 500, 'most of the load waited longer than 0.1 ms');
  assert.equal(afterLoad.promCount, afterLoad.textCount, 'prom-client serves the same histogram');
  assert.equal(afterLoad.promSum, afterLoad.textSum);
  assert.equal(afterLoad.otelCount - before.otelCount, checkouts, 'OpenTelemetry recorded every wait too');
  assert.ok(Math.abs(afterLoad.otelSum - before.otelSum - (afterLoad.textSum - before.textSum)) < 1e-6 * checkouts + 1e-3, 'the same total wait');

  const health = (await (await fetch(`${base}/health`)).json()) as { status: string };
  assert.equal(health.status, 'healthy', 'healthy again once the load is over');
  assert.equal(((await (await fetch(`${base}/health/pool`)).json()) as { status: string }).status, 'healthy');
});

test('as a program: listens, serves, and on SIGTERM closes the server and the pool and exits 0', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/fastify-app.ts', urls.postgres, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  assert.ok(!first.done, `the app printed its address (stderr: ${stderr})`);
  const { port } = JSON.parse(first.value) as { port: number };
  const health = await fetch(`http://127.0.0.1:${port}/health/pool`);
  assert.equal(health.status, 200);
  assert.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /^process_cpu_user_seconds_total /m, "the app's own metrics beside havuz's");
  child.kill('SIGTERM');
  const closed = await lines.next();
  assert.deepEqual(JSON.parse(closed.value as string), { closed: 'SIGTERM', poolClosed: true });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
});
