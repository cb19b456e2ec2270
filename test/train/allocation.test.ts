import { describe, expect, it } from 'vitest';

import { allocatePoints } from '../../src/mc/allocation.js';
import { combineEstimates, estimateFromMoments } from '../../src/mc/estimates.js';
import { learningRate } from '../../src/train/learning_rate.js';

describe('allocation of points to channels', () => {
  it('is proportional to √Var with a floor, sums to the total, skips dropped channels', () => {
    const counts = allocatePoints(10_000, [3, 1, 0, 6], [true, true, true, false], 0.3);
    expect(counts.reduce((a, n) => a + n, 0)).toBe(10_000);
    expect(counts[3]).toBe(0);
    // floor: 0.3 of an equal share (1/3) = 0.1 before renormalisation
    expect(counts[2]! / 10_000).toBeGreaterThan(0.08);
    expect(counts[0]! / counts[1]!).toBeCloseTo(3, 1);
  });

  it('splits evenly without variances', () => {
    expect(allocatePoints(9, [], [true, true, true], 0.1)).toEqual([3, 3, 3]);
  });

  it('learning-rate schedules run from the initial to the final rate', () => {
    for (const s of ['cosine', 'exponential'] as const) {
      expect(learningRate(s, 1e-2, 1e-4, 0, 100)).toBeCloseTo(1e-2, 12);
      expect(learningRate(s, 1e-2, 1e-4, 99, 100)).toBeCloseTo(1e-4, 12);
    }
    expect(learningRate('constant', 1e-2, 1e-4, 50, 100)).toBe(1e-2);
  });
});

describe('estimates', () => {
  it('σ and δσ from channel moments use the unbiased variance', () => {
    const e = estimateFromMoments([
      { n: 4, mean: 2, variance: 3, absMean: 2 },
      { n: 2, mean: 1, variance: 1, absMean: 1 },
    ]);
    expect(e.sigma).toBe(3);
    expect(e.error).toBeCloseTo(Math.sqrt((3 * 4) / 3 / 4 + (1 * 2) / 1 / 2), 14);
  });

  it('χ²/dof of consistent estimates is small, of inconsistent ones large', () => {
    expect(combineEstimates([{ sigma: 1, error: 0.1 }, { sigma: 1.05, error: 0.1 }]).chi2PerDof).toBeLessThan(1);
    const bad = combineEstimates([{ sigma: 1, error: 0.01 }, { sigma: 2, error: 0.01 }]);
    expect(bad.chi2PerDof).toBeGreaterThan(100);
    expect(bad.sigma).toBeCloseTo(1.5, 12);
  });
});
