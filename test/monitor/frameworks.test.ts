import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { havuz } from '../../src/fastify/index.js';
import { HavuzHealthIndicator, MetricsRegistry, expressMonitor } from '../../src/monitor/index.js';
import { requireDatabase, urls } from '../support/databases.js';

const SECRET = 'hv-Fr4me-S3cret';
const withPassword = (url: string) => url.replace('//postgres@', `//postgres:${SECRET}@`);
const engines: Engine[] = [];
function open(url: string, name: string): Engine {
  const engine = createEngine(url, { name, acquireTimeoutMs: 1_000, size: 2 });
  engines.push(engine);
  return engine;
}
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  await requireDatabase(urls.postgres);
});
after(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 500 })));
});

test('Express: the monitoring routes under a mount path, and next() for every other request', async () => {
  const db = open(withPassword(urls.postgres), 'express-pg');
  const app = express();
  app.use('/ops', expressMonitor(db, { prefix: '/ops' }));
  app.use(expressMonitor(new MetricsRegistry([db])));
  app.get('/hello', (_req, res) => void res.send('hi'));
  app.get('/health/other', (_req, res) => void res.send('mine'));
  const server = createServer(app);
  const base = await listen(server);
  try {
    assert.equal(await (await fetch(`${base}/hello`)).text(), 'hi', 'other routes are reached');
    assert.equal(await (await fetch(`${base}/health/other`)).text(), 'mine');
    assert.equal((await fetch(`${base}/missing`)).status, 404, "Express's own 404");
    const health = await fetch(`${base}/ops/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as any).status, 'healthy');
    const pool = (await (await fetch(`${base}/health/pool`)).json()) as any;
    assert.equal(pool.config.pool_size, 2);
    const metrics = await (await fetch(`${base}/ops/metrics`)).text();
    assert.match(metrics, /^havuz_pool_max\{pool="express-pg"\} 2$/m);
    assert.doesNotMatch(metrics + JSON.stringify(pool), new RegExp(SECRET));
    assert.equal((await fetch(`${base}/health`, { method: 'POST' })).status, 404, 'only GET and HEAD are answered');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('Fastify plugin: decorates app.havuz, serves /health, /health/pool and /metrics (through a prom-client Registry), closes the engine with the app', async () => {
  const prom = new Registry();
  const app = Fastify();
  await app.register(havuz, { url: withPassword(urls.postgres), engineOptions: { name: 'fastify-pg', size: 3, acquireTimeoutMs: 4_000 }, promRegistry: prom });
  app.get('/now', async () => (await app.havuz.query<{ n: number }>('SELECT 7 AS n')).rows[0]);
  await app.ready();
  try {
    assert.deepEqual((await app.inject('/now')).json(), { n: 7 });
    const pool = await app.inject('/health/pool');
    assert.equal(pool.statusCode, 200);
    assert.deepEqual(pool.json(), {
      status: 'healthy', size: 3, checked_out: 0, overflow: -2, checked_in: 1,
      config: { pool_size: 3, max_overflow: 0, timeout: 4, recycle: 1800 },
    });
    assert.equal((await app.inject('/health/pool?pool=nope')).statusCode, 404);
    const health = await app.inject('/health');
    assert.equal(health.json().databases[0].name, 'fastify-pg');
    const metrics = await app.inject('/metrics');
    assert.match(metrics.headers['content-type'] as string, /text\/plain/);
    assert.match(metrics.body, /^havuz_pool_acquired_total\{pool="fastify-pg"\} [1-9]/m);
    assert.doesNotMatch(metrics.body + pool.body + health.body, new RegExp(SECRET));
    assert.equal(app.havuzMetrics.get('fastify-pg')?.engine, app.havuz);
  } finally {
    await app.close();
  }
  assert.equal(app.havuz.status().closed, true, 'onClose closed the engine');
  assert.equal(prom.getSingleMetric('havuz_pool_acquired_total'), undefined, 'and took its metrics out of the Registry');
});

test('Fastify plugin: bad options are refused at register, naming the option', async () => {
  const app = Fastify();
  await assert.rejects(async () => void (await app.register(havuz, {}).ready()), (e: any) => e.code === 'HAVUZ_INVALID_OPTION' && e.option === 'engine');
  await app.close();
});

test('NestJS indicator: up with the details while healthy, a Terminus health-check error with causes when unhealthy', async () => {
  const live = open(urls.postgres, 'nest-live');
  const result = await new HavuzHealthIndicator(live).isHealthy('db');
  assert.equal(result.db!.status, 'up');
  assert.equal(result.db!.health, 'healthy');

  const dead = open(withPassword(urls.postgres).replace(/@[^/@]*\//, '@127.0.0.1:1/'), 'nest-dead');
  const indicator = new HavuzHealthIndicator([live, dead]);
  await assert.rejects(indicator.isHealthy('db'), (e: any) => {
    assert.equal(e.isHealthCheckError, true);
    assert.equal(e.causes.db.status, 'down');
    assert.equal(e.causes.db.health, 'unhealthy');
    assert.match(e.message, /nest-dead: the probe failed/);
    assert.doesNotMatch(e.message + JSON.stringify(e.causes), new RegExp(SECRET));
    return true;
  });
});
