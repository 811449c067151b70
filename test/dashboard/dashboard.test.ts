import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { havuz } from '../../src/fastify/index.js';
import { createManager } from '../../src/manager/index.js';
import { Dashboard, dashboardHandler, expressDashboard, MetricsRegistry, serveDashboard } from '../../src/monitor/index.js';
import { intervalQuantile } from '../../src/monitor/dashboard/pool-feed.js';
import { UPLOT_JS, UPLOT_VERSION } from '../../src/monitor/dashboard/uplot-assets.js';
import { requireDatabase, urls } from '../support/databases.js';
import { SseReader } from './sse.js';

const SECRET = 'hv-Dash-S3cret-pw';
const withPassword = (url: string) => url.replace('//postgres@', `//postgres:${SECRET}@`);
const engines: Engine[] = [];
function open(url: string, name: string, options: Record<string, unknown> = {}): Engine {
  const engine = createEngine(url, { name, acquireTimeoutMs: 2_000, size: 2, ...options });
  engines.push(engine);
  return engine;
}
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

before(async () => {
  await requireDatabase(urls.postgres);
});
after(async () => {
  await Promise.all(engines.map((e) => e.close({ timeoutMs: 500 })));
});

describe('the page', () => {
  test('one self-contained response: uPlot inline, no external URL, a strict CSP', async () => {
    const handler = dashboardHandler(new MetricsRegistry(), { title: '<b>ops</b>' });
    const server = createServer(handler);
    const base = await listen(server);
    try {
      const redirect = await fetch(`${base}/havuz`, { redirect: 'manual' });
      assert.equal(redirect.status, 308);
      assert.equal(redirect.headers.get('location'), '/havuz/');
      const page = await fetch(`${base}/havuz/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy')!, /default-src 'none'.*connect-src 'self'/);
      const html = await page.text();
      assert.match(html, new RegExp(`uPlot \\(v${UPLOT_VERSION.replace(/\./g, '\\.')}\\)`));
      assert.match(html, /&#60;b&#62;ops&#60;\/b&#62;/, 'the title is escaped');
      assert.doesNotMatch(html, /<script[^>]*\ssrc=|<link[^>]*href=/i, 'no asset fetched from anywhere');
      assert.equal((await fetch(`${base}/elsewhere`)).status, 404);
      assert.equal((await fetch(`${base}/havuz/`, { method: 'POST' })).status, 405);
    } finally {
      handler.close();
      await stop(server);
    }
  });

  test('the vendored uPlot is the one in node_modules (run scripts/vendor-uplot.mjs after an upgrade)', async () => {
    const { createRequire } = await import('node:module');
    const { readFileSync } = await import('node:fs');
    const require = createRequire(import.meta.url);
    const pkg = require('uplot/package.json') as { version: string };
    assert.equal(UPLOT_VERSION, pkg.version);
    assert.equal(UPLOT_JS, readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'));
  });
});

describe('the bearer token', () => {
  test('page and stream need it (header or ?token=), compared in constant time; a bad token option is coded', async () => {
    assert.throws(() => new Dashboard(new MetricsRegistry(), { token: '' }), { code: 'HAVUZ_INVALID_OPTION', message: /token/ });
    assert.throws(() => new Dashboard(new MetricsRegistry(), { prefix: 'havuz' }), { code: 'HAVUZ_INVALID_OPTION', message: /prefix/ });
    assert.throws(() => new Dashboard(new MetricsRegistry(), { intervalMs: 1 }), { code: 'HAVUZ_INVALID_OPTION', message: /intervalMs/ });
    const handler = dashboardHandler(new MetricsRegistry(), { token: 't0ken-x' });
    const server = createServer(handler);
    const base = await listen(server);
    try {
      const none = await fetch(`${base}/havuz/`);
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate')!, /^Bearer/);
      assert.equal((await fetch(`${base}/havuz/?token=wrong`)).status, 401);
      assert.equal((await fetch(`${base}/havuz/?token=t0ken-x-longer`)).status, 401);
      assert.equal((await fetch(`${base}/havuz/events`)).status, 401);
      assert.equal((await fetch(`${base}/havuz/`, { headers: { authorization: 'Bearer t0ken-x' } })).status, 200);
      assert.equal((await fetch(`${base}/havuz/?token=t0ken-x`)).status, 200);
      const stream = await SseReader.open(`${base}/havuz/events?token=t0ken-x`);
      assert.equal(stream.status, 200);
      await stream.next((e) => e.event === 'hello');
      stream.close();
    } finally {
      handler.close();
      await stop(server);
    }
  });
});

describe('the stream', () => {
  test('hello, ticks with connections by state and wait quantiles, pool events; no password anywhere', async () => {
    const db = open(withPassword(urls.postgres), 'dash-pg', { size: 2 });
    const refused = open(`postgres://postgres:${SECRET}@127.0.0.1:1/nowhere`, 'dash-refused', { size: 1, acquireTimeoutMs: 300 });
    const handler = dashboardHandler([db, refused], { intervalMs: 100, endWhenClosed: false });
    const server = createServer(handler);
    const base = await listen(server);
    const stream = await SseReader.open(`${base}/havuz/events`);
    try {
      const hello = await stream.next((e) => e.event === 'hello');
      assert.deepEqual(hello.data.pools.map((p: any) => p.name), ['dash-pg', 'dash-refused']);
      const config = hello.data.pools[0].config;
      assert.equal(config.size, 2);
      assert.equal(config.dialect, 'postgres');
      assert.match(config.url, /postgres:\*\*\*@/);
      // Load: more holders than connections, so some wait.
      await Promise.all(Array.from({ length: 6 }, () => db.query('SELECT pg_sleep(0.15)')));
      const points = () => stream.events.filter((e) => e.event === 'tick').map((e) => e.data.points.find((p: any) => p.name === 'dash-pg'));
      await stream.next((e) => e.event === 'tick' && e.data.points.some((p: any) => p.name === 'dash-pg' && p.acquired >= 6));
      const waited = points().filter((p) => p.waitP99Ms !== null);
      assert.ok(waited.length > 0, 'some tick saw the waits');
      for (const p of waited) assert.ok(p.waitP99Ms >= p.waitP50Ms, JSON.stringify(p));
      assert.ok(points().some((p) => p.used === 2 && p.pending > 0 && p.reasons.some((r: any) => r.code === 'saturated')), 'saturation and waiters were seen');
      assert.equal(points()[0].max, 2);
      await assert.rejects(refused.query('SELECT 1'));
      const failed = await stream.next((e) => e.event === 'pool-event' && e.data.kind === 'connect-failed');
      assert.equal(failed.data.pool, 'dash-refused');
      await stream.next((e) => e.event === 'tick' && e.data.points.some((p: any) => p.name === 'dash-refused' && p.createErrorsPerSec > 0));
      assert.doesNotMatch(stream.raw, new RegExp(SECRET));
      const page = await (await fetch(`${base}/havuz/`)).text();
      assert.doesNotMatch(page, new RegExp(SECRET));
    } finally {
      stream.close();
      handler.close();
      await stop(server);
    }
  });

  test('a leak shows with the acquirer\'s stack; an invalidation is listed', async () => {
    const db = open(urls.postgres, 'dash-leak', { leakDetectionMs: 100, size: 1 });
    const handler = dashboardHandler(db, { intervalMs: 100 });
    const server = createServer(handler);
    const base = await listen(server);
    const stream = await SseReader.open(`${base}/havuz/events`);
    try {
      await stream.next((e) => e.event === 'hello');
      await using connection = await db.connect();
      const leak = await stream.next((e) => e.event === 'pool-event' && e.data.kind === 'leak', 5_000);
      assert.match(leak.data.stack, /dashboard\.test\.ts/);
      connection.invalidate(new Error('bad state'));
      const invalidated = await stream.next((e) => e.event === 'pool-event' && e.data.kind === 'invalidate');
      assert.match(invalidated.data.message, /bad state/);
    } finally {
      stream.close();
      handler.close();
      await stop(server);
    }
  });

  test('streams end on close() (server.close completes) and when every pool is closed', async () => {
    const db = open(urls.postgres, 'dash-close');
    const handler = dashboardHandler(db, { intervalMs: 50 });
    const server = createServer(handler);
    const base = await listen(server);
    const first = await SseReader.open(`${base}/havuz/events`);
    await first.next((e) => e.event === 'tick');
    await db.close();
    await first.next((e) => e.event === 'end', 2_000);
    await first.waitEnd();
    assert.equal(handler.dashboard.hub.viewers, 0);
    assert.equal((await fetch(`${base}/havuz/events`)).status, 503, 'a closed dashboard takes no new viewer');
    await new Promise((resolve) => server.close(resolve));

    const other = open(urls.postgres, 'dash-close-2');
    const again = dashboardHandler(other, { intervalMs: 50 });
    const server2 = createServer(again);
    const base2 = await listen(server2);
    const second = await SseReader.open(`${base2}/havuz/events`);
    await second.next((e) => e.event === 'hello');
    again.close();
    await second.waitEnd();
    const started = Date.now();
    await new Promise((resolve) => server2.close(resolve));
    assert.ok(Date.now() - started < 1_000, 'no stream holds server.close() up');
  });

  test('maxViewers: a viewer past the cap gets 503 with Retry-After, and a place frees when one leaves', async () => {
    const db = open(urls.postgres, 'dash-cap');
    assert.throws(() => new Dashboard(db, { maxViewers: 0 }), { code: 'HAVUZ_INVALID_OPTION', message: /maxViewers/ });
    assert.throws(() => new Dashboard(db, { maxViewers: 1.5 }), { code: 'HAVUZ_INVALID_OPTION', message: /maxViewers/ });
    const handler = dashboardHandler(db, { intervalMs: 50, maxViewers: 2 });
    const server = createServer(handler);
    const base = await listen(server);
    const open2 = [await SseReader.open(`${base}/havuz/events`), await SseReader.open(`${base}/havuz/events`)];
    try {
      for (const viewer of open2) await viewer.next((e) => e.event === 'hello');
      const refused = await fetch(`${base}/havuz/events`);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '10');
      assert.match(await refused.text(), /2 viewers already \(its maxViewers\)/);
      assert.equal(handler.dashboard.hub.viewers, 2, 'the refused one holds no place');
      open2[0]!.close();
      await open2[0]!.waitEnd();
      while (handler.dashboard.hub.viewers > 1) await new Promise((resolve) => setImmediate(resolve));
      const third = await SseReader.open(`${base}/havuz/events`);
      open2.push(third);
      assert.equal(third.status, 200);
      await third.next((e) => e.event === 'tick');
    } finally {
      for (const viewer of open2) viewer.close();
      handler.close();
      await stop(server);
    }
  });

  test('history: a viewer who comes late gets the last ticks at once, at most `history` of them', async () => {
    const db = open(urls.postgres, 'dash-history');
    assert.throws(() => new Dashboard(db, { history: -1 }), { code: 'HAVUZ_INVALID_OPTION', message: /history/ });
    const handler = dashboardHandler(db, { intervalMs: 50, history: 5 });
    const server = createServer(handler);
    const base = await listen(server);
    try {
      // A first viewer sees six ticks, so the history is full, then leaves.
      const first = await SseReader.open(`${base}/havuz/events`);
      await first.next((_e) => first.events.filter((e) => e.event === 'tick').length >= 6);
      const seen = first.events.filter((e) => e.event === 'tick').map((e) => e.data.t as number);
      first.close();
      await sleep(300); // ~6 ticks while nobody watches: they are kept too
      const openedAt = Date.now();
      const stream = await SseReader.open(`${base}/havuz/events`);
      await stream.next((e) => e.event === 'hello');
      await stream.next((_e) => stream.events.length >= 7);
      const replayed = stream.events.slice(1, 6);
      assert.ok(replayed.every((e) => e.event === 'tick'), 'five ticks right after hello');
      const times = replayed.map((e) => e.data.t as number);
      assert.deepEqual(times, [...new Set(times)].sort((a, b) => a - b), 'oldest first, each once');
      assert.ok(times.at(-1)! > seen.at(-1)!, 'the ticks made while nobody watched are in it');
      const sixth = stream.events[6]!;
      assert.ok(sixth.event === 'tick' && sixth.data.t > times.at(-1)! && sixth.data.t >= openedAt, 'then live ones (no more than five replayed)');
      stream.close();
    } finally {
      handler.close();
      await stop(server);
    }
  });

  test('a manager: every database side by side; manager.close() ends the streams', async () => {
    const manager = createManager({ users: withPassword(urls.postgres), audit: { url: urls.postgres, options: { size: 1 } } });
    const handler = dashboardHandler(manager.metrics, { intervalMs: 50 });
    const server = createServer(handler);
    const base = await listen(server);
    try {
      const stream = await SseReader.open(`${base}/havuz/events`);
      const hello = await stream.next((e) => e.event === 'hello');
      assert.deepEqual(hello.data.pools.map((p: any) => p.name).sort(), ['audit', 'users']);
      await manager.engine('users').query('SELECT 1');
      await stream.next((e) => e.event === 'tick' && e.data.points.some((p: any) => p.name === 'users' && p.acquired > 0));
      await manager.close();
      await stream.next((e) => e.event === 'end', 2_000);
      await stream.waitEnd();
      assert.doesNotMatch(stream.raw, new RegExp(SECRET));
    } finally {
      handler.close();
      await manager.close();
      await stop(server);
    }
  });

  test('serveDashboard: 127.0.0.1 by default, the token in the URL it prints, never keeps the process alive', async () => {
    const db = open(urls.postgres, 'dash-served');
    const served = await serveDashboard(db, { token: 'abc' });
    try {
      assert.equal((served.server.address() as AddressInfo).address, '127.0.0.1');
      assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=abc$/);
      assert.equal((await fetch(served.url)).status, 200);
    } finally {
      await served.close();
    }
  });

  test('a process serving the dashboard, with an engine it used and forgot, still exits on its own', async () => {
    const src = (path: string) => JSON.stringify(new URL(`../../src/${path}`, import.meta.url).pathname);
    const script = `
      const { createEngine } = await import(${src('engine/index.ts')});
      const { serveDashboard } = await import(${src('monitor/index.ts')});
      const engine = createEngine(${JSON.stringify(urls.postgres)}, { name: 'exit-test' });
      await engine.query('SELECT 1');
      const served = await serveDashboard(engine, { intervalMs: 50 });
      const res = await fetch(served.url);
      await res.text();
      console.log('served', res.status);`;
    const started = Date.now();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('error', reject);
      child.on('exit', (c) => {
        clearTimeout(killer);
        resolve({ code: c, stdout: out });
      });
    });
    assert.equal(code, 0);
    assert.match(stdout, /served 200/);
    assert.ok(Date.now() - started < 15_000);
  });
});

describe('frameworks', () => {
  test('Fastify: the plugin mounts it; app.close() ends open streams and finishes promptly', async () => {
    const app = Fastify();
    await app.register(havuz, { url: withPassword(urls.postgres), engineOptions: { name: 'dash-fastify', size: 2 }, dashboard: { token: 'fz' } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    assert.equal((await fetch(`${base}/havuz/`)).status, 401);
    assert.equal((await fetch(`${base}/havuz/?token=fz`)).status, 200);
    assert.equal((await fetch(`${base}/health`)).status, 200, 'the monitoring routes are still there');
    const stream = await SseReader.open(`${base}/havuz/events`, { authorization: 'Bearer fz' });
    const hello = await stream.next((e) => e.event === 'hello');
    assert.equal(hello.data.pools[0].name, 'dash-fastify');
    const started = Date.now();
    await app.close();
    await stream.waitEnd();
    assert.ok(Date.now() - started < 3_000);
    assert.doesNotMatch(stream.raw, new RegExp(SECRET));
  });

  test('Express: mounted as middleware, next() for the rest', async () => {
    const db = open(urls.postgres, 'dash-express');
    const app = express();
    const middleware = expressDashboard(db, { prefix: '/ops/pools' });
    app.use(middleware);
    app.get('/hello', (_req, res) => void res.send('hi'));
    const server = createServer(app);
    const base = await listen(server);
    try {
      assert.equal(await (await fetch(`${base}/hello`)).text(), 'hi');
      assert.equal((await fetch(`${base}/ops/pools/`)).status, 200);
      const stream = await SseReader.open(`${base}/ops/pools/events`);
      await stream.next((e) => e.event === 'hello');
      stream.close();
    } finally {
      middleware.close();
      await stop(server);
    }
  });
});

test('intervalQuantile: the quantile of the checkouts between two snapshots only', () => {
  const snap = (counts: number[]) => ({ buckets: counts.map((count, i) => ({ le: [1, 10, 100][i]!, count })), count: counts[counts.length - 1]!, sumMs: 0 });
  assert.equal(intervalQuantile(snap([0, 0, 0]), snap([0, 0, 0]), 0.5), null);
  // Before: 100 fast waits. Since: 10 waits of ~100 ms. Cumulative p50 would say 1 ms; the interval says 100.
  assert.equal(intervalQuantile(snap([100, 100, 100]), snap([100, 100, 110]), 0.5), 100);
  assert.equal(intervalQuantile(snap([0, 0, 0]), snap([5, 9, 10]), 0.5), 1);
  assert.equal(intervalQuantile(snap([0, 0, 0]), snap([5, 9, 10]), 0.99), 100);
});
