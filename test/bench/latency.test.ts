import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { LatencyRecorder, histogram, percentile, summarize } from '../../src/bench/latency.js';

describe('percentile', () => {
  it('interpolates between the nearest ranks (numpy type 7)', () => {
    const s = [1, 2, 3, 4];
    assert.equal(percentile(s, 0), 1);
    assert.equal(percentile(s, 50), 2.5);
    assert.equal(percentile(s, 100), 4);
    assert.equal(percentile(s, 25), 1.75);
  });

  it('matches known values on 1..100', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(s, 50), 50.5);
    assert.ok(Math.abs(percentile(s, 95) - 95.05) < 1e-9);
    assert.ok(Math.abs(percentile(s, 99) - 99.01) < 1e-9);
  });

  it('is NaN for no samples, the sample for one, and rejects p outside 0..100', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.equal(percentile([7], 99), 7);
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], -1), RangeError);
    assert.throws(() => percentile([1], NaN), RangeError);
  });
});

describe('summarize', () => {
  it('reports count, min, mean, p50/p95/p99 and max', () => {
    const s = Array.from({ length: 1000 }, (_, i) => i + 1);
    const summary = summarize(s);
    assert.equal(summary.count, 1000);
    assert.equal(summary.min, 1);
    assert.equal(summary.max, 1000);
    assert.equal(summary.mean, 500.5);
    assert.equal(summary.p50, 500.5);
    assert.ok(Math.abs(summary.p99 - 990.01) < 1e-9);
  });
});

describe('LatencyRecorder', () => {
  it('grows past its first buffer and returns the samples sorted', () => {
    const r = new LatencyRecorder();
    // A seeded shuffle of 0..4999: deterministic, and not already in order.
    let seed = 42;
    const values = Array.from({ length: 5000 }, (_, i) => i);
    for (let i = values.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    for (const v of values) r.record(v);
    assert.equal(r.count, 5000);
    const sorted = r.sorted();
    assert.equal(sorted.length, 5000);
    for (let i = 0; i < 5000; i++) assert.equal(sorted[i], i);
  });
});

describe('histogram', () => {
  it('puts every sample in exactly one bucket, edges spanning min..max', () => {
    const s = [1, 1.5, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144];
    const h = histogram(s, 10);
    assert.equal(h.counts.length, 10);
    assert.equal(h.edges.length, 11);
    assert.equal(h.counts.reduce((a, b) => a + b, 0), s.length);
    assert.equal(h.edges[0], 1);
    assert.equal(h.edges[10], 144);
  });

  it('log buckets each a constant factor wider; linear ones equal width', () => {
    const log = histogram([1, 10, 100, 1000], 3, 'log');
    assert.deepEqual(log.edges.map((e) => Math.round(e)), [1, 10, 100, 1000]);
    assert.deepEqual(log.counts, [1, 1, 2]);
    const lin = histogram([0, 5, 10], 2, 'linear');
    assert.deepEqual(lin.edges, [0, 5, 10]);
    assert.deepEqual(lin.counts, [1, 2]);
  });

  it('handles no samples and identical samples', () => {
    assert.deepEqual(histogram([]), { edges: [], counts: [] });
    assert.deepEqual(histogram([3, 3, 3]), { edges: [3, 3], counts: [3] });
  });
});
