import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { PROGRESS_PREFIX } from '../src/cli/progress.js';
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
  /** stderr without the plain progress lines (notes, warnings, errors) */
  stderr: string;
  /** the plain progress lines the CLI wrote to stderr (it is a pipe here, not a terminal) */
  progress: string[];
}

/** Runs the built CLI (bin/madnis-ts.js) as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): CliRun {
  const result = spawnSync(process.execPath, [join(packageRoot, 'bin', 'madnis-ts.js'), ...args], {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  const lines = (result.stderr ?? '').split(/(?<=\n)/);
  const isProgress = (line: string) => line.startsWith(PROGRESS_PREFIX);
  return { status: result.status, stdout: result.stdout, stderr: lines.filter((l) => !isProgress(l)).join(''), progress: lines.filter(isProgress).map((l) => l.trimEnd()) };
}

/** The pull (a − b)/√(δa² + δb²). */
export function pull(a: number, da: number, b: number, db = 0): number {
  return (a - b) / Math.sqrt(da * da + db * db);
}
