import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { builtinProcessDir, nativeTestBinary } from '../../src/native/paths.js';
import { haveSharedPdf, sharedPdfGrid } from '../helpers.js';

describe('native core unit tests (native/tests)', () => {
  it('all pass: RNG, PDF, VEGAS, spline, MLP, Adam, flow, channel weights, losses, training gradients', () => {
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
