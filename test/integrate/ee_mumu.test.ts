/**
 * e+ e- → μ+ μ- without cuts has a closed-form σ. Computed here independently of the
 * C++ (vector/axial couplings, the textbook form), and compared by the pull.
 */
import { describe, expect, it } from 'vitest';

import { integratePlain } from '../../src/integrate/plain.js';
import { builtin, pull } from '../helpers.js';

const GEV2_TO_PB = 0.3893793721e9;

/** σ(e+e- → γ/Z → μ+μ-), massless, G_μ scheme as in MG5's sm: α⁻¹=132.507, G_F, M_Z, Γ_Z. */
export function eeMumuSigma(sqrtS: number): number {
  const alpha = 1 / 132.507, gf = 1.16639e-5, mz = 91.188, wz = 2.441404;
  const mw = Math.sqrt(mz ** 2 / 2 + Math.sqrt(mz ** 4 / 4 - (Math.PI * alpha * mz ** 2) / (Math.SQRT2 * gf)));
  const sw2 = 1 - (mw / mz) ** 2;
  // vector and axial couplings of the electron/muon to the Z, in units of e/(2 sw cw)
  const v = -0.5 + 2 * sw2, a = -0.5;
  const s = sqrtS ** 2;
  const k = 1 / (4 * sw2 * (1 - sw2));
  // χ = s/(s − M² + iMΓ) as (re, im)
  const den = (s - mz ** 2) ** 2 + (mz * wz) ** 2;
  const reChi = (s * (s - mz ** 2)) / den, absChi2 = s ** 2 / den;
  const bracket = 1 + 2 * v * v * k * reChi + (v * v + a * a) ** 2 * k * k * absChi2;
  return ((GEV2_TO_PB * 4 * Math.PI * alpha ** 2) / (3 * s)) * bracket;
}

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
