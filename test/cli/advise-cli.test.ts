import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { presets } from '../../src/sizing/presets.js';
import { PG_URL, unlessReachable } from '../bench/helpers.js';
import { freshTmp, runCli } from './run-cli.js';

const dir = freshTmp();
after(() => rmSync(dir, { recursive: true, force: true }));
const pgSkip = await unlessReachable(PG_URL);

describe('havuz advise', () => {
  it('--presets --json prints the presets', async () => {
    const r = await runCli(['advise', '--presets', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), presets);
  });

  it('from flags alone: the formula, with the reasoning numbered', async () => {
    const r = await runCli(['advise', '--db-cores', '4', '--spindles', '1'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no --url, so the server's limits are unknown/);
    assert.match(r.stdout, / {2}1\. Formula: physical cores x 2 \+ effective spindles = 4 x 2 \+ 1 = 9/);
    assert.match(r.stdout, / {2}size {13}9\n/);
    assert.match(r.stdout, /createEngine\(url, \{ \.\.\.presets\.mediumTraffic, size: 9, maxOverflow: 5, acquireTimeoutMs: 5000 \}\)/);
  });

  it('against PostgreSQL, with live figures for Little\'s law', { skip: pgSkip }, async () => {
    const r = await runCli(['advise', '--url', PG_URL, '--instances', '4', '--db-cores', '8', '--qps', '800', '--hold-ms', '12', '--p99-ms', '40', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { recommendation: { size: number; maxOverflow: number; acquireTimeoutMs: number }; reasoning: string[]; server: { maxConnections: number } };
    assert.equal(out.recommendation.size, 12);
    assert.equal(out.recommendation.acquireTimeoutMs, 1000);
    assert.ok(out.server.maxConnections >= 1);
    assert.ok(out.reasoning.some((l) => l.startsWith(`Server limit: max_connections ${out.server.maxConnections}`)));
  });

  it('from a saved bench result: the knee and its p99 and hold time', async () => {
    const file = join(dir, 'bench.json');
    writeFileSync(file, JSON.stringify({ speedup: 50, sweep: [{ poolSize: 4, qps: 300, p99_ms: 30, meanHold_ms: 12 }, { poolSize: 8, qps: 600, p99_ms: 35, meanHold_ms: 12 }], knee: { poolSize: 8, threshold: 0.9 } }));
    const r = await runCli(['advise', '--bench', file, '--qps', '500', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { recommendation: { size: number; acquireTimeoutMs: number }; reasoning: string[] };
    assert.equal(out.recommendation.size, 8); // 500 q/s x 12 ms = 6, +25% = 7.5 -> 8
    assert.equal(out.recommendation.acquireTimeoutMs, 1000);
    assert.ok(out.reasoning.some((l) => /hold time at pool size 8/.test(l)));
  });

  it('bad input: one line, exit 2', async () => {
    for (const args of [['advise', '--instances', '0'], ['advise', '--hold-ms', '5'], ['advise', '--qps', '100'], ['advise', '--bench', join(dir, 'missing.json')]]) {
      const r = await runCli(args, dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
  });
});
