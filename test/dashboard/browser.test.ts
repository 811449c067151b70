// The dashboard end to end in headless Chromium, against the Fastify example under load: the page
// loads offline (no request leaves the app), the charts draw, the numbers move, saturation shows,
// and a restart of a scratch PostgreSQL shows as failed connects, then a recovery. Screenshots are
// kept in reports/dashboard/ (HAVUZ_TEST_ARTIFACTS to put them elsewhere).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildUsersApp } from '../../examples/fastify-app.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { dashboardHandler, MetricsRegistry } from '../../src/monitor/index.js';
import { launchChromium, unlessChromium } from '../bench/helpers.js';
import { ScratchPostgres, scratchPostgresAvailable } from '../faults/support/scratch-postgres.js';
import { requireDatabase, urls } from '../support/databases.js';
import { SseReader } from './sse.js';

const ARTIFACTS = process.env.HAVUZ_TEST_ARTIFACTS ?? fileURLToPath(new URL('../../reports/dashboard', import.meta.url));
const TOKEN = 'e2e-T0ken';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Runs in the page: the number shown in a pool's stat cell (or its reason codes), above `min`. (The page's CSP forbids eval, so no string expressions.) */
const above = ([pool, testid, min]: [string, string, number]): boolean =>
  Number((globalThis as any).document.querySelector(`section.pool[data-pool="${pool}"] [data-testid=${testid}]`)?.textContent) > min;
const hasReason = ([pool, code]: [string, string]): boolean =>
  ((globalThis as any).document.querySelector(`section.pool[data-pool="${pool}"] [data-testid=reasons]`)?.getAttribute('data-codes') ?? '').split(' ').includes(code);

describe('the dashboard in headless Chromium', { skip: unlessChromium() || (scratchPostgresAvailable() ? false : 'no PostgreSQL binaries for a scratch server') }, () => {
  let scratch: ScratchPostgres;
  let app: FastifyInstance;
  let other: Engine;
  let base: string;
  let browser: import('playwright-core').Browser;

  before(async () => {
    await requireDatabase(urls.postgres);
    mkdirSync(ARTIFACTS, { recursive: true });
    scratch = await ScratchPostgres.create();
    const metrics = new MetricsRegistry();
    // A second pool beside the app's, on the shared server: side by side on the page.
    other = createEngine(urls.postgres, { name: 'reports-db', size: 2 });
    metrics.add(other);
    app = await buildUsersApp({
      url: scratch.url(),
      table: 'dash_users',
      metrics,
      engineOptions: { name: 'users-db', size: 3, acquireTimeoutMs: 1_500, createTimeoutMs: 2_000 },
      dashboard: { token: TOKEN, intervalMs: 250 },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await other?.close();
    await scratch?.destroy();
  });

  test('loads, draws, moves under load, shows saturation, then a restart as errors and recovery', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const foreign: string[] = [];
    page.on('request', (r) => void (r.url().startsWith(base) || foreign.push(r.url())));
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/havuz/?token=${TOKEN}`);
    await page.waitForSelector('#stream-status.live');
    await page.waitForSelector('section.pool[data-pool="users-db"] canvas');
    await page.waitForSelector('section.pool[data-pool="reports-db"] canvas');
    const config = await page.textContent('section.pool[data-pool="users-db"] .config');
    assert.match(config!, /acquireTimeoutMs\s*1500/);

    // Load: HTTP requests through the example, and holders that keep every connection busy.
    let running = true;
    let requests = 0;
    await fetch(`${base}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada', email: `ada-${Date.now()}@example.com` }) });
    const worker = async () => {
      while (running) {
        await fetch(`${base}/users/1`).then((r) => r.arrayBuffer(), () => undefined);
        requests++;
      }
    };
    const holder = async () => {
      while (running) await app.havuz.query('SELECT pg_sleep(0.3)').catch(() => sleep(100));
    };
    const reports = async () => {
      while (running) await other.query('SELECT pg_sleep(0.05)').catch(() => sleep(100));
    };
    const load = Promise.all([...Array.from({ length: 8 }, worker), ...Array.from({ length: 5 }, holder), reports()]);
    try {
      const acquired = async () => Number(await page.textContent('section.pool[data-pool="users-db"] [data-testid=acquired]'));
      await page.waitForFunction(above, ['users-db', 'acquired', 0] as [string, string, number]);
      const first = await acquired();
      await sleep(1_000);
      assert.ok((await acquired()) > first, 'the checkout count moves while load runs');
      await page.waitForFunction(hasReason, ['users-db', 'saturated'] as [string, string], { timeout: 10_000 });
      await page.waitForFunction(above, ['users-db', 'pending', 0] as [string, string, number], { timeout: 10_000 });
      await sleep(1_500);
      const drawn = await page.$$eval('section.pool canvas', (canvases) =>
        canvases.map((c: any) => {
          const data: Uint8ClampedArray = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
          return painted;
        }),
      );
      assert.equal(drawn.length, 6, 'three charts per pool, two pools');
      for (const painted of drawn) assert.ok(painted > 1_000, `every chart has drawn (${drawn.join(', ')} pixels)`);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-saturated.png'), fullPage: true });

      // The database restarts (pg_ctl restart -m immediate) while the load goes on.
      await scratch.restart('immediate');
      await page.waitForSelector('section.pool[data-pool="users-db"] li[data-kind="connect-failed"]', { timeout: 10_000 });
      await page.waitForSelector('section.pool[data-pool="users-db"] li[data-kind="recovered"]', { timeout: 15_000 });
      const rates = await page.evaluate(() => (globalThis as any).havuzDashboard.series('users-db', 'createErrorsPerSec'));
      assert.ok(rates.some((r: number) => r > 0), 'the connect errors per second chart has the burst');
      const before = requests;
      await sleep(2_000);
      assert.ok(requests > before, 'the app serves again');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      const kinds = await page.$$eval('section.pool[data-pool="users-db"] li.event', (items) => items.map((li) => li.getAttribute('data-kind')));
      assert.ok(kinds.indexOf('recovered') < kinds.lastIndexOf('connect-failed'), `the recovery is listed above (after) the failures: ${kinds.join(', ')}`);
      const body = await page.content();
      assert.doesNotMatch(body, /password/i);
    } finally {
      running = false;
      await load;
    }
    assert.deepEqual(foreign, [], 'nothing fetched from anywhere but the app');
    assert.deepEqual(problems, [], 'no script error on the page');
    await page.close();
  });
});

describe('a page refused for maxViewers', { skip: unlessChromium() }, () => {
  test('says so, and tries again 10 s later (the page\'s clock), then goes live once a place is free', async () => {
    await requireDatabase(urls.postgres);
    const db = createEngine(urls.postgres, { name: 'dash-refused-page', size: 1 });
    const handler = dashboardHandler(db, { intervalMs: 100, maxViewers: 1 });
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchChromium();
    const holder = await SseReader.open(`${base}/havuz/events`);
    try {
      await holder.next((e) => e.event === 'hello');
      const page = await browser.newPage();
      await page.clock.install();
      await page.goto(`${base}/havuz/`);
      await page.waitForFunction(() => (globalThis as any).document.getElementById('stream-status').textContent === 'refused, retrying in 10 s');
      holder.close();
      await holder.waitEnd();
      while (handler.dashboard.hub.viewers > 0) await new Promise((resolve) => setImmediate(resolve));
      await page.clock.runFor(10_000);
      await page.waitForFunction(() => (globalThis as any).document.getElementById('stream-status').textContent === 'live');
      assert.equal(handler.dashboard.hub.viewers, 1);
    } finally {
      holder.close();
      await browser.close();
      handler.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await db.close();
    }
  });
});
