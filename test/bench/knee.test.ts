import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_KNEE_THRESHOLD, findKnee } from '../../src/bench/knee.js';

const curve = (pairs: [number, number][]) => pairs.map(([poolSize, qps]) => ({ poolSize, qps }));

describe('findKnee', () => {
  it('is the smallest size reaching 90% of the best throughput', () => {
    const knee = findKnee(curve([[1, 100], [2, 195], [4, 380], [8, 700], [16, 760], [32, 770], [64, 740]]));
    assert.equal(DEFAULT_KNEE_THRESHOLD, 0.9);
    // 90% of 770 = 693: size 8 (700) is the first to reach it.
    assert.deepEqual(knee, { poolSize: 8, qps: 700, maxQps: 770, maxAtPoolSize: 32, threshold: 0.9, atLargest: false });
  });

  it('honours another threshold', () => {
    const points = curve([[1, 100], [2, 195], [4, 380], [8, 700], [16, 760], [32, 770]]);
    assert.equal(findKnee(points, 0.95)?.poolSize, 16);
    assert.equal(findKnee(points, 0.45)?.poolSize, 4); // 346.5: 380 reaches it, 195 does not
    assert.equal(findKnee(points, 1)?.poolSize, 32);
  });

  it('is the last size when throughput still grows linearly (the pool is the bottleneck throughout)', () => {
    const knee = findKnee(curve([[1, 100], [2, 200], [4, 400], [8, 800]]));
    assert.equal(knee?.poolSize, 8);
    assert.equal(knee?.atLargest, true);
  });

  it('does not depend on the order of the points, and ignores failed steps', () => {
    const knee = findKnee(curve([[32, 770], [1, 100], [8, 700], [4, 0], [16, NaN]]));
    assert.equal(knee?.poolSize, 8);
    assert.equal(knee?.maxAtPoolSize, 32);
  });

  it('is undefined without usable points and rejects a threshold outside (0, 1]', () => {
    assert.equal(findKnee([]), undefined);
    assert.equal(findKnee(curve([[1, 0]])), undefined);
    assert.throws(() => findKnee(curve([[1, 1]]), 0), RangeError);
    assert.throws(() => findKnee(curve([[1, 1]]), 1.5), RangeError);
  });
});
