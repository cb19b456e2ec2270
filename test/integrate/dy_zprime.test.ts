/**
 * p p → γ/Z/Z′ → e+ e- (the MadNIS toy) with the shared NNPDF2.3 LO grid.
 */
import { describe, expect, it } from 'vitest';

import { integratePlain } from '../../src/integrate/plain.js';
import { builtin, haveSharedPdf, pull, sharedPdfGrid } from '../helpers.js';

/**
 * MadGraph5_aMC@NLO v3.1.1, `generate p p > e+ e-`, sm model, default cuts (ptl 10,
 * etal 2.5, drll 0.4), pdlabel nn23lo1, fixed μ_F = μ_R = 91.188 GeV, 13 TeV,
 * 50 000 events (generate_events, seed 22): what BENCHMARKS.md says zprime=off must match.
 */
const MG5_PP_EE = { sigma: 934.6, error: 1.46 };

describe.skipIf(!haveSharedPdf)(`builtin:dy_zprime (needs ${sharedPdfGrid})`, () => {
  it('prior channel weights sum to 1 at every point, in every channel', async () => {
    const process = builtin('builtin:dy_zprime');
    expect(process.info.channels).toBe(3);
    const n = 20_000, d = process.info.dimension;
    const u = new Float64Array(n * d);
    let state = 12345;
    for (let i = 0; i < u.length; ++i) {
      state = (state * 1103515245 + 12345) % 2147483648;
      u[i] = (state + 0.5) / 2147483648;
    }
    for (let channel = 0; channel < 3; ++channel) {
      const e = await process.native.evaluate(channel, u);
      let worst = 0, nonzero = 0;
      for (let i = 0; i < n; ++i) {
        let sum = 0;
        for (let j = 0; j < 3; ++j) {
          const a = e.channelWeights[i * 3 + j]!;
          expect(a).toBeGreaterThanOrEqual(0);
          sum += a;
        }
        worst = Math.max(worst, Math.abs(sum - 1));
        if (e.weight[i]! > 0) ++nonzero;
      }
      expect(worst).toBeLessThan(1e-12);
      expect(nonzero).toBeGreaterThan(n / 4);
    }
  });

  it('σ is stable across seeds within errors', async () => {
    const process = builtin('builtin:dy_zprime');
    const results = [];
    for (const seed of [11, 12, 13]) results.push(await integratePlain(process, { points: 600_000, seed }));
    for (let i = 0; i < results.length; ++i) {
      for (let j = i + 1; j < results.length; ++j) {
        const a = results[i]!, b = results[j]!;
        expect(Math.abs(pull(a.sigma, a.sigmaError, b.sigma, b.sigmaError))).toBeLessThan(3);
      }
      // each channel contributes and carries an error
      for (const c of results[i]!.channels) {
        expect(c.sigma).toBeGreaterThan(0);
        expect(c.sigmaError).toBeGreaterThan(0);
      }
    }
  });

  it("with zprime=off σ agrees with MadGraph5's p p > e+ e- (pull |z| < 3)", async () => {
    const process = builtin('builtin:dy_zprime?zprime=off');
    expect(process.info.channels).toBe(2);
    const result = await integratePlain(process, { points: 3_000_000, seed: 5 });
    expect(result.sigmaError / result.sigma).toBeLessThan(0.003);
    const z = pull(result.sigma, result.sigmaError, MG5_PP_EE.sigma, MG5_PP_EE.error);
    expect(Math.abs(z), `σ = ${result.sigma} ± ${result.sigmaError}, z = ${z}`).toBeLessThan(3);
  });

  it("the Z' adds its resonance: σ(on) − σ(off) is positive beyond errors", async () => {
    const on = await integratePlain(builtin('builtin:dy_zprime'), { points: 600_000, seed: 3 });
    const off = await integratePlain(builtin('builtin:dy_zprime?zprime=off'), { points: 600_000, seed: 3 });
    const zprime = on.channels[2]!;
    expect(zprime.sigma / zprime.sigmaError).toBeGreaterThan(10);
    expect(on.sigma).toBeGreaterThan(off.sigma - 3 * Math.hypot(on.sigmaError, off.sigmaError));
  });
});
