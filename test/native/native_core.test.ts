import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { builtinProcessDir, nativeTestBinary } from '../../src/native/paths.js';
import { haveSharedPdf, sharedPdfGrid } from '../helpers.js';

describe('native core unit tests (native/tests)', () => {
  it('all pass: RNG, PDF, VEGAS, spline, MLP, Adam, flow, channel weights, losses, training gradients, training session, event record', () => {
    const run = spawnSync(nativeTestBinary, [], {
      encoding: 'utf8',
      env: { ...process.env, MADNIS_TEST_PDF_GRID: haveSharedPdf ? sharedPdfGrid : '', MADNIS_TEST_PROCESS_DIR: builtinProcessDir },
    });
    expect(run.error).toBeUndefined();
    const output = `${run.stdout}${run.stderr}`;
    expect(output, output).toMatch(/native: \d+ passed, 0 failed/);
    expect(run.status, output).toBe(0);
  });
});

describe('unweightingEfficiency (the one ε definition, for any sampler)', () => {
  it('gives the documented numbers on a small sample', async () => {
    const { loadAddon } = await import('../../src/native/addon.js');
    // 98 weights 1, one 2, one 100, and 100 zeros (failed cuts): ⟨w⟩ = 1
    const w = new Float64Array(200);
    w.fill(1, 0, 98);
    w[98] = 2;
    w[99] = 100;
    const e = await loadAddon().unweightingEfficiency(w);
    expect(e.n).toBe(200);
    expect(e.nonzero).toBe(100);
    expect(e.mean).toBe(1);
    expect(e.plainMax.efficiency).toBeCloseTo(0.01, 15);
    expect(e.truncated.wMax).toBeCloseTo(98, 12); // excess (100 − 98) = 1 % of Σw = 2
    expect(e.truncated.overweightFraction).toBeCloseTo(1 / 200, 15);
    await expect(loadAddon().unweightingEfficiency(new Float64Array([1, NaN]))).rejects.toThrow(/must be finite/);
    expect((await loadAddon().unweightingEfficiency(new Float64Array([1, -1]))).negative).toBe(1);
  });
});
