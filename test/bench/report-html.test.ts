import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderHtmlReport } from '../../src/bench/report-html.js';
import { syntheticRun } from './fixtures.js';
import { launchChromium, unlessChromium } from './helpers.js';

describe('HTML report (static)', () => {
  it('is self-contained: no scripts to run, no external resources', () => {
    const html = renderHtmlReport(syntheticRun());
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<link|<img|<iframe|@import|url\(/i);
    assert.doesNotMatch(html, /\ssrc=/i);
    // The only URL is the SVG namespace, which is a name, not a fetch.
    const urls = html.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
    assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg']);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, ['<script type="application/json" id="havuz-bench-data">']);
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
  });

  it('escapes what it shows', () => {
    const html = renderHtmlReport(syntheticRun(`SELECT '</script><script>alert(1)</script>'`));
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;script&gt;alert\(1\)/);
  });
});

describe('HTML report in headless Chromium', { skip: unlessChromium() }, () => {
  let dir: string;
  let browser: import('playwright-core').Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'havuz-report-test-'));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws all three charts: lines, dots, bars, and non-blank pixels', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(syntheticRun(`SELECT '<script>window.pwned = 1</script>'`)));
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);

    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => ({
        title: svg.querySelector('title')?.textContent ?? '',
        paths: [...svg.querySelectorAll('path')].filter((p) => (p.getAttribute('d') ?? '').length > 0 && p.getTotalLength() > 0).length,
        dots: [...svg.querySelectorAll('circle')].filter((c) => c.getBBox().width > 0).length,
        bars: [...svg.querySelectorAll('rect.bar')].filter((r) => r.getBBox().width > 0 && r.getBBox().height > 0).length,
        width: svg.getBoundingClientRect().width,
      })),
    );
    assert.equal(charts.length, 3);
    const [line, hist, bars] = charts as [(typeof charts)[0], (typeof charts)[0], (typeof charts)[0]];
    assert.match(line.title, /Throughput and p99/);
    assert.equal(line.paths, 2, 'a throughput line and a p99 line');
    assert.equal(line.dots, 14, 'a dot per pool size per line');
    assert.match(hist.title, /Latency histogram/);
    assert.ok(hist.bars >= 10, `histogram bars: ${hist.bars}`);
    assert.match(bars.title, /pool vs no pool/);
    assert.equal(bars.bars, 2);
    for (const c of charts) assert.ok(c.width > 500, `${c.title} laid out at ${c.width}px`);
    assert.equal(await page.locator('svg .marker-label').textContent(), 'knee');
    assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined, 'escaped SQL did not run');
    assert.deepEqual(requests.filter((u) => !u.startsWith('file://')), [], 'nothing fetched from the network');

    // Pixels: screenshot each chart and count what is not background, and the line colours.
    const shots = await Promise.all((await page.$$('svg.chart')).map((el) => el.screenshot()));
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    const counts = await page.evaluate(async (pngs) => {
      // Runs in the page; the test's TypeScript has no DOM types, hence the `any`.
      const { Image, document } = globalThis as any;
      const out = [];
      for (const b64 of pngs) {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height).data;
        const [r0, g0, b0] = [data[0], data[1], data[2]];
        let ink = 0;
        let blue = 0;
        let orange = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
          if (Math.abs(r - r0!) + Math.abs(g - g0!) + Math.abs(b - b0!) > 60) ink++;
          if (b > 180 && r < 90 && g > 60 && g < 140) blue++;
          if (r > 180 && g > 50 && g < 110 && b < 60) orange++;
        }
        out.push({ ink, total: data.length / 4, blue, orange });
      }
      return out;
    }, shots.map((s) => s.toString('base64')));
    for (const [i, c] of counts.entries()) assert.ok(c.ink > c.total * 0.01, `chart ${i}: ${c.ink} of ${c.total} pixels drawn`);
    assert.ok(counts[0]!.blue > 200 && counts[0]!.orange > 200, `line colours drawn: ${JSON.stringify(counts[0])}`);
    await page.close();
  });
});
