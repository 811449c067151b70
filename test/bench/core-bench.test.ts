import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { compareRuns } from '../../bench/core/compare.js';
import { parseTotals, perAcquire } from '../../bench/core/instr.js';
import { renderInstrReport } from '../../bench/core/instr-report.js';
import { runsTogether, toJson } from '../../bench/core/report.js';
import { formatRate } from '../../bench/lib/stats.js';

describe('bench:core:instr', () => {
  it('reads the instruction total of a callgrind dump', () => {
    assert.equal(parseTotals('version: 1\ncmd: node\nevents: Ir\nsummary: 1234\ntotals: 1234\n'), 1234);
    assert.throws(() => parseTotals('events: Ir\n'), /without totals/);
  });

  it('takes each scenario the median measured round, less the empty interval, per served acquire', () => {
    // start-up, empty (100), then a: warm-up, 3 rounds; b: warm-up, 1 round
    const totals = [9e9, 100, 5e8, 20_000_100, 10_000_100, 10_000_100, 7e8, 400_000_100];
    const result = perAcquire('havuz', ['a', 'b'], { a: [10_000, 10_000, 10_000], b: [100_000] }, totals);
    assert.deepEqual(result, { a: 1000, b: 4000 });
  });

  it('skips dumps before its own (another getrusage call at start-up) and refuses too few', () => {
    const totals = [1, 2, 9e9, 100, 5e8, 10_000_100];
    assert.deepEqual(perAcquire('floor', ['a'], { a: [10_000] }, totals), { a: 1000 });
    assert.throws(() => perAcquire('floor', ['a'], { a: [10_000, 10_000] }, [9e9, 100, 5e8, 10_000_100]), /wrote 4 dumps, expected 5/);
  });

  it('reports havuz against the cheapest peer, and the spread over queue sizes', () => {
    const text = renderInstrReport(
      {
        sequential: { havuz: 1000, tarn: 3000, 'pg-pool': 2500 },
        'queued-10': { havuz: 2000, 'generic-pool': 3000 },
        'queued-100000': { havuz: 2400, 'generic-pool': 9000 },
      },
      'header',
    );
    assert.match(text, /sequential .* 2\.50x vs pg-pool MET/);
    assert.match(text, /queued-10 .* 1\.50x vs generic-pool NOT MET/);
    assert.match(text, /havuz .* 20% MET/);
  });
});

describe('bench:core', () => {
  it('formats a rate with three digits in the unit it rounds into', () => {
    assert.deepEqual([999_700, 999_400, 1_004_000, 999.7, 20_000_000].map(formatRate), ['1.00 M/s', '999 k/s', '1.00 M/s', '1.00 k/s', '20.0 M/s']);
  });
  it('JSON carries the medians and the run spreads', () => {
    const json = JSON.parse(toJson({ sequential: { havuz: 1234.6 } }, { sequential: { havuz: 0.12345 } }, { sequential: 0.45678 }));
    assert.deepEqual(json, { scenarios: { sequential: { havuz: 1235 } }, spread: { sequential: { havuz: 0.123 } }, together: { sequential: 0.457 } });
  });

  it('two back-to-back runs: medians within 10%, havuz 2x the fastest peer in both', () => {
    const first = { sequential: { havuz: 3e6, tarn: 1e6, floor: 9e6 } };
    const same = compareRuns(first, { sequential: { havuz: 3.2e6, tarn: 1.05e6, floor: 8.5e6 } });
    assert.equal(same.agree, true);
    assert.equal(same.ratiosHold, true);
    const drifted = compareRuns(first, { sequential: { havuz: 2e6, tarn: 1.05e6, floor: 9e6 } });
    assert.equal(drifted.agree, false);
    assert.equal(drifted.ratiosHold, false);
    assert.match(drifted.text, /0\.67x !/);
    assert.equal(drifted.agreeBesideMachine, false, 'havuz alone moved');
  });

  it('tells a machine that changed speed (every library moved alike) from one library that moved', () => {
    const first = { sequential: { havuz: 3e6, tarn: 1e6, 'pg-pool': 2e6, floor: 9e6 } };
    const slower = compareRuns(first, { sequential: { havuz: 2.55e6, tarn: 0.86e6, 'pg-pool': 1.7e6, floor: 7.7e6 } });
    assert.equal(slower.agree, false);
    assert.equal(slower.agreeBesideMachine, true);
    assert.match(slower.text, /common move/);
    assert.match(slower.text, /0\.85x\s+1\.50x \/ 1\.50x NOT MET/);
    const tarnAlone = compareRuns(first, { sequential: { havuz: 2.55e6, tarn: 0.6e6, 'pg-pool': 1.7e6, floor: 7.7e6 } });
    assert.equal(tarnAlone.agreeBesideMachine, false);
  });

  it('measures how much the libraries\' runs move together, leaving out pairs cut short', () => {
    const up = [1, 2, 1, 2, 1, 2];
    const together = runsTogether({
      alike: { havuz: up.map((v) => v * 3e6), tarn: up.map((v) => v * 4e5), floor: [9e6, 9e6, 9e6] },
      apart: { havuz: up.map((v) => v * 3e6), tarn: [2, 1, 2, 1, 2, 1].map((v) => v * 4e5) },
      constant: { havuz: [1, 1, 1], tarn: [2, 2, 2] },
    });
    assert.ok(Math.abs(together.alike! - 1) < 1e-9, String(together.alike));
    assert.ok(Math.abs(together.apart! + 1) < 1e-9, String(together.apart));
    assert.equal(together.constant, undefined, 'no variation, no figure');
  });
});
