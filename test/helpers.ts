import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { packageRoot } from '../src/native/paths.js';
import { loadProcess, type LoadedProcess } from '../src/process/load.js';
import { parseProcessSpec } from '../src/process/spec.js';

/** ../shared beside the repository (read-only data for tests), or MADNIS_SHARED_DIR. */
export const sharedDir = resolve(process.env.MADNIS_SHARED_DIR ?? join(packageRoot, '..', 'shared'));
export const sharedPdfGrid = join(sharedDir, 'data', 'pdf', 'NNPDF23_lo_as_0130_qed_mem0.grid');
export const haveSharedPdf = existsSync(sharedPdfGrid);

export function builtin(spec: string, threads = 2): LoadedProcess {
  return loadProcess(parseProcessSpec(spec, { pdf: haveSharedPdf ? sharedPdfGrid : undefined }), threads);
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (bin/madnis-ts.js) as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): CliRun {
  const result = spawnSync(process.execPath, [join(packageRoot, 'bin', 'madnis-ts.js'), ...args], {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The pull (a − b)/√(δa² + δb²). */
export function pull(a: number, da: number, b: number, db = 0): number {
  return (a - b) / Math.sqrt(da * da + db * db);
}
