/**
 * The layers of src/ (ARCHITECTURE.md, .dependency-cruiser.cjs): the real tree passes, and
 * a tree that breaks them is refused, naming the rule (so the check can fail).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { packageRoot } from '../src/native/paths.js';

function depcruise(target: string) {
  const bin = join(packageRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  return spawnSync(process.execPath, [bin, target, '--config', '.dependency-cruiser.cjs'], { cwd: packageRoot, encoding: 'utf8' });
}

describe('layers', () => {
  it('src/ imports only downwards and has no cycles', () => {
    const run = depcruise('src');
    expect(run.stdout + run.stderr).toMatch(/no dependency violations found/);
    expect(run.status).toBe(0);
  });

  it('a bottom layer importing a use case, and process/ importing more of mg5/ than locate.ts, are refused', () => {
    const run = depcruise('test/fixtures/layers/src');
    expect(run.status).not.toBe(0);
    expect(run.stdout).toMatch(/error base-imports-nothing: test\/fixtures\/layers\/src\/util\/low\.ts → test\/fixtures\/layers\/src\/app\/high\.ts/);
    expect(run.stdout).toMatch(/error process-uses-only-mg5-locate: .*process\/load\.ts → .*mg5\/build\.ts/);
    expect(run.stdout).not.toMatch(/mg5\/locate\.ts\n/);
  });
});
