/**
 * e+ e- → μ+ μ- without cuts has a closed-form σ. Computed here independently of the
 * C++ (vector/axial couplings, the textbook form), and compared by the pull.
 */
import { describe, expect, it } from 'vitest';

import { integratePlain } from '../../src/integrate/plain.js';
import { builtin, pull } from '../helpers.js';
import { eeMumuSigma } from '../physics.js';

describe('builtin:ee_mumu against the closed form', () => {
  it('the closed form agrees with the process library’s own formula', () => {
    for (const sqrts of [91.188, 200]) {
      const process = builtin(`builtin:ee_mumu?sqrts=${sqrts}`, 1);
      expect(process.parameters.exact_sigma_pb as number).toBeCloseTo(eeMumuSigma(sqrts), 6);
    }
  });

  // On the Z pole, near it, below and far above: 4 energies × 3 seeds.
  const energies = [91.188, 60, 95, 500];
  const seeds = [1, 2, 3];
  for (const sqrts of energies) {
    it(`√s = ${sqrts} GeV: pull |z| < 3 for seeds ${seeds.join(', ')}`, async () => {
      const process = builtin(`builtin:ee_mumu?sqrts=${sqrts}`);
      const exact = eeMumuSigma(sqrts);
      const pulls: number[] = [];
      for (const seed of seeds) {
        const result = await integratePlain(process, { points: 400_000, seed });
        // The error must be small enough that a 0.5 % bias would show as a pull > 3.
        expect(result.sigmaError / result.sigma).toBeLessThan(0.005 / 3);
        pulls.push(pull(result.sigma, result.sigmaError, exact));
      }
      for (const z of pulls) expect(Math.abs(z), `pulls ${pulls.map((z) => z.toFixed(2))}`).toBeLessThan(3);
    });
  }
});
