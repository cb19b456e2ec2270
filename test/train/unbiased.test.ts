/**
 * Trained samplers stay unbiased: on integrands with known integrals, the σ of the final
 * fresh-point integration has |pull| < 4 for every one of 5 seeds, after VEGAS and flow
 * training with learned channel weights (small networks, short training).
 */
import { describe, expect, it } from 'vitest';

import { createSampler, runTraining } from '../../src/train/schedule.js';
import { builtin, pull } from '../helpers.js';
import { smallConfig } from './small_config.js';

const cases = [
  { spec: 'builtin:camel?channels=2', key: 'exact_integral' },
  { spec: 'builtin:camel', key: 'exact_integral' },
  { spec: 'builtin:ring', key: 'exact_integral' },
  { spec: 'builtin:ee_mumu?sqrts=200', key: 'exact_sigma_pb' },
];

describe('trained samplers are unbiased', () => {
  for (const { spec, key } of cases) {
    it(`${spec}: |pull| < 4 over 5 seeds`, async () => {
      const process = builtin(spec);
      const exact = process.parameters[key] as number;
      const pulls: number[] = [];
      for (const seed of [1, 2, 3, 4, 5]) {
        const config = smallConfig();
        const result = await runTraining(process, createSampler(process, config, seed), config, seed);
        expect(result.progress.phases.map((p) => p.phase)).toEqual(['VEGAS', 'flow']);
        // the error is small enough that an 8 % bias would show
        expect(result.final.error / result.final.sigma).toBeLessThan(0.02);
        pulls.push(pull(result.final.sigma, result.final.error, exact));
      }
      for (const z of pulls) expect(Math.abs(z), `pulls ${pulls.map((z) => z.toFixed(2)).join(' ')}`).toBeLessThan(4);
    });
  }
});
