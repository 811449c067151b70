import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { findKnee } from '../../src/bench/knee.js';
import { renderBar, streamProgress } from '../../src/bench/progress.js';
import { renderHtmlReport } from '../../src/bench/report-html.js';
import { toJson } from '../../src/bench/result.js';
import { renderBenchTables, renderTable } from '../../src/bench/table.js';
import { syntheticRun } from './fixtures.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 80, write: (c: string) => (chunks.push(c), true) };
}

describe('progress', () => {
  it('on a terminal: a redrawn bar, then the result line', () => {
    const s = stream(true);
    const p = streamProgress(s);
    p.start('sweep: pool size 8', 100);
    p.update(100);
    p.finish('700 q/s');
    const out = s.chunks.join('');
    assert.ok(out.startsWith(`\r\x1b[2K[${'.'.repeat(30)}]   0%  sweep: pool size 8`), JSON.stringify(out));
    assert.match(out, /\[#+\] 100%/);
    assert.ok(out.endsWith('\r\x1b[2Khavuz bench: sweep: pool size 8: 700 q/s\n'));
  });

  it('elsewhere (a pipe, a CI log): plain lines only, no carriage returns', () => {
    const s = stream(false);
    const p = streamProgress(s);
    p.start('load', 10);
    for (let i = 0; i <= 10; i++) p.update(i);
    p.finish('900 q/s');
    assert.deepEqual(s.chunks, ['havuz bench: load: 900 q/s\n']);
  });

  it('renderBar clamps and fits the width', () => {
    assert.equal(renderBar(0.5, 'x', 80), `[${'#'.repeat(15)}${'.'.repeat(15)}]  50%  x`);
    assert.match(renderBar(2, 'x', 80), /100%/);
    assert.match(renderBar(NaN, 'x', 80), / 0%/);
    assert.ok(renderBar(0.3, 'a very long label '.repeat(10), 40).length < 40);
  });
});

describe('tables', () => {
  it('aligns columns: text left, numbers right', () => {
    const t = renderTable(['name', 'q/s'], [['pool', '4000'], ['no pool', '80']]);
    assert.equal(t, ['name      q/s', '-------  ----', 'pool     4000', 'no pool    80'].join('\n'));
  });

  it('summarises a run: speedup, sweep rows, the knee', () => {
    const text = renderBenchTables(syntheticRun());
    assert.match(text, /Speedup: 60\.0x with a pool/);
    assert.match(text, /^\s+32\s+2700\s+100%.*<- knee$/m);
    assert.match(text, /Knee: pool size 32, the smallest size reaching 90% of the best throughput \(2700 q\/s at size 32\)/);
    assert.doesNotMatch(text, /:[^*@\s]+@/, 'no password in the URL');
    assert.doesNotMatch(text, /Still rising/);
  });

  it('says when the knee is the largest size tried', () => {
    const run = syntheticRun();
    run.sweep!.steps = run.sweep!.steps.slice(0, 6); // up to 32, the best
    run.sweep!.knee = findKnee(run.sweep!.steps);
    assert.match(renderBenchTables(run), /Still rising at the largest size tried/);
    assert.match(renderHtmlReport(run), /still rising at the largest size tried/);
  });
});

describe('JSON', () => {
  it('has speedup and sweep [{poolSize, qps, p99_ms}] on top', () => {
    const json = toJson(syntheticRun()) as { speedup: number; sweep: { poolSize: number; qps: number; p99_ms: number }[]; knee: { poolSize: number } };
    assert.equal(json.speedup, 60);
    assert.deepEqual(json.sweep.map((s) => s.poolSize), [1, 2, 4, 8, 16, 32, 64]);
    for (const row of json.sweep) {
      assert.equal(typeof row.qps, 'number');
      assert.equal(typeof row.p99_ms, 'number');
    }
    assert.equal(json.knee.poolSize, 32);
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(json)));
  });
});
