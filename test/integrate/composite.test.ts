/**
 * A process made of several libraries (as MadEvent writes one library per subprocess
 * folder): channels concatenated, prior weights zero across parts, σ the sum.
 */
import { describe, expect, it } from 'vitest';

import { integratePlain } from '../../src/integrate/plain.js';
import { createSampler, runTraining } from '../../src/train/schedule.js';
import { builtin, pull, runCli } from '../helpers.js';
import { smallConfig } from '../train/small_config.js';

const spec = 'builtin:ring,builtin:camel?channels=2';

describe('processes of several parts', () => {
  it('concatenate channels, pad dimensions, keep priors within a part', async () => {
    const process = builtin(spec);
    expect(process.info.channels).toBe(3);
    expect(process.info.dimension).toBe(4);
    expect(process.channelNames).toEqual(['1:1', '2:hump 1/3', '2:hump 2/3']);
    const u = new Float64Array(4 * 100).fill(0.4);
    for (const channel of [0, 1, 2]) {
      const e = await process.native.evaluate(channel, u);
      for (let i = 0; i < 100; ++i) {
        const a = [0, 1, 2].map((c) => e.channelWeights[i * 3 + c]!);
        expect(a[0]! + a[1]! + a[2]!).toBeCloseTo(1, 14);
        if (channel === 0) expect(a).toEqual([1, 0, 0]);
        else expect(a[0]).toBe(0);
      }
    }
  });

  it('σ is the sum of the parts (plain and trained, pull < 3)', async () => {
    const process = builtin(spec);
    const parts = (process.parameters.parts as Array<{ parameters: { exact_integral: number } }>).map((p) => p.parameters.exact_integral);
    const exact = parts[0]! + parts[1]!;
    const plain = await integratePlain(process, { points: 2_000_000, seed: 4 });
    expect(Math.abs(pull(plain.sigma, plain.sigmaError, exact))).toBeLessThan(3);
    const config = smallConfig();
    const trained = await runTraining(process, createSampler(process, config, 2), config, 2);
    expect(Math.abs(pull(trained.final.sigma, trained.final.error, exact))).toBeLessThan(3);
  });

  it('parts with other beams are refused', () => {
    const run = runCli(['integrate', 'builtin:ee_mumu,builtin:ee_mumu?sqrts=200']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/has other particles or beams than .*: they are not parts of one process/);
  });
});
