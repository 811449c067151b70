// The page's memory stays flat: an hour of ticks for 10 pools (3,600 ticks, fed by hand on a fast
// clock instead of waiting an hour) leaves the heap where ten minutes left it, since each pool keeps
// a fixed ring of points and a bounded list of events; and each tick renders fast enough for once
// a second with room to spare.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MetricsRegistry, dashboardHandler } from '../../src/monitor/index.js';
import { launchChromium, unlessChromium } from '../bench/helpers.js';

const POOLS = 10;

/**
 * Runs in the page: `count` ticks from tick `from` on, drawing and yielding to the browser every
 * `batch` ticks (batch 1 draws every tick, as a live page does once a second); returns ms spent.
 */
async function feed([from, count, pools, batch]: [number, number, number, number]): Promise<number> {
  const dash = (globalThis as any).havuzDashboard;
  const start = performance.now();
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = from; i < from + count; i++) {
    const points = [];
    for (let p = 0; p < pools; p++) {
      const used = (i + p) % 11;
      points.push({
        name: `pool-${p}`, idle: 10 - used, used, connecting: i % 3 === 0 ? 1 : 0, pending: used > 8 ? i % 7 : 0, max: 10,
        waitP50Ms: used > 8 ? 5 : null, waitP99Ms: used > 8 ? 250 : null, timeoutsPerSec: i % 97 === 0 ? 2 : 0, createErrorsPerSec: 0,
        acquired: i * 17, health: used > 8 ? 'degraded' : 'healthy', reasons: used > 9 ? [{ code: 'saturated', message: 'all 10 connections are checked out' }] : [], closed: false,
      });
    }
    dash.tick({ t: t0 + i * 1000, points });
    if (i % 20 === 0) dash.event({ id: i, pool: `pool-${i % pools}`, at: t0 + i * 1000, kind: 'leak', message: `connection ${i} checked out for 5000 ms`, count: 1, stack: 'Error\n    at handler (app.js:1:1)\n'.repeat(5) });
    if ((i + 1) % batch === 0) {
      dash.render(); // what the next animation frame would do
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  return performance.now() - start;
}

describe('the page\'s memory over an hour of updates', { skip: unlessChromium() }, () => {
  let browser: import('playwright-core').Browser;
  let handler: ReturnType<typeof dashboardHandler>;
  let server: ReturnType<typeof createServer>;

  before(async () => {
    handler = dashboardHandler(new MetricsRegistry(), { intervalMs: 60_000 });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    handler?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  test('10 pools, 3,600 ticks: the heap after the hour is where it was after ten minutes; each tick renders in well under a second', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/havuz/`);
    await page.waitForFunction(() => (globalThis as any).havuzDashboard !== undefined);
    await page.evaluate(() => (globalThis as any).havuzDashboard.stop()); // the test is the only source of ticks
    const cdp = await page.context().newCDPSession(page);
    const heap = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    // The fast clock: ten ticks between draws (the data and DOM work of every tick still runs).
    await page.evaluate(feed, [0, 600, POOLS, 10] as [number, number, number, number]);
    const afterTen = await heap();
    const domAfterTen = await page.evaluate(() => (globalThis as any).document.getElementsByTagName('*').length);
    for (let from = 600; from < 3_580; from += 596) await page.evaluate(feed, [from, 596, POOLS, 10] as [number, number, number, number]);
    // The last 20 ticks drawn one by one, with full rings: what a live page pays each second.
    const ms = await page.evaluate(feed, [3_580, 20, POOLS, 1] as [number, number, number, number]);
    const afterHour = await heap();
    const domAfterHour = await page.evaluate(() => (globalThis as any).document.getElementsByTagName('*').length);
    const stats = await page.evaluate(() => (globalThis as any).havuzDashboard.stats());
    const perTick = ms / 20;
    console.log(`heap after 10 min ${(afterTen / 1e6).toFixed(2)} MB, after 1 h ${(afterHour / 1e6).toFixed(2)} MB; DOM ${domAfterTen} -> ${domAfterHour} elements; ${perTick.toFixed(1)} ms per tick for ${POOLS} pools`);
    assert.equal(stats.ticks, 3_600);
    assert.equal(stats.pools, POOLS);
    assert.equal(stats.points, POOLS * 600, 'each pool keeps its ring of 600 points, no more');
    assert.ok(stats.events <= POOLS * 30, `the event lists are capped (${stats.events})`);
    assert.ok(afterHour < afterTen * 1.25 + 1e6, `the heap stays flat: ${afterTen} -> ${afterHour} bytes`);
    assert.ok(afterHour < 40e6, `and small: ${afterHour} bytes`);
    assert.ok(domAfterHour <= domAfterTen + 50, `the DOM does not grow: ${domAfterTen} -> ${domAfterHour}`);
    assert.ok(perTick < 250, `a tick for ${POOLS} pools renders in ${perTick.toFixed(1)} ms`);
    await page.close();
  });
});
