/**
 * One process library per MadEvent subprocess folder, built with native/mg5glue's recipe
 * into OUT/build/, and rebuilt only when its inputs change.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { packageRoot } from '../native/paths.js';
import { ensureDirectory } from '../util/directories.js';
import { UserError } from '../util/errors.js';
import { clearStamp, stampMismatch, writeStamp } from '../util/stamp.js';

const GLUE = join(packageRoot, 'native', 'mg5glue');

export function requireGfortran(): void {
  if (spawnSync('gfortran', ['--version']).status !== 0) {
    throw new UserError('gfortran not found: MadGraph5 processes are Fortran; install it (Debian: apt-get install gfortran)');
  }
}

export function subprocessFolders(processDir: string): string[] {
  const sub = join(processDir, 'SubProcesses');
  if (!existsSync(sub)) throw new UserError(`${processDir} has no SubProcesses folder: not a MadEvent output`);
  return readdirSync(sub).filter((d) => /^P\d+_/.test(d)).sort().map((d) => join(sub, d));
}

/** What the library is built from: our glue, and MG5's objects, libraries and cards. */
function inputsDigest(folder: string): string {
  const hash = createHash('sha256');
  for (const file of ['madnis_mg5.f', 'madnis_scale.f', 'mg5_process.c', 'build.sh']) hash.update(readFileSync(join(GLUE, file)));
  hash.update(readFileSync(join(packageRoot, 'native', 'include', 'madnis', 'process.h')));
  const stamp = (path: string) => {
    if (existsSync(path)) {
      const s = statSync(path);
      hash.update(`${path}:${s.size}:${s.mtimeMs}\n`);
    }
  };
  for (const f of readdirSync(folder).sort()) if (/\.(o|f|inc|dat)$/.test(f)) stamp(join(folder, f));
  const lib = join(folder, '..', '..', 'lib');
  if (existsSync(lib)) for (const f of readdirSync(lib).sort()) stamp(join(lib, f));
  stamp(join(folder, '..', '..', 'Source', 'run_card.inc'));
  stamp(join(folder, '..', '..', 'Cards', 'param_card.dat'));
  return hash.digest('hex');
}

/**
 * What to read when a process library built here crashes: MadEvent's Fortran log in its
 * subprocess folder and the library's build log. Undefined for a library not built by
 * buildSubprocessLibrary (no inputs stamp beside it).
 */
export function subprocessCrashHint(library: string): string | undefined {
  const name = basename(library).replace(/\.(so|dylib)$/, '');
  if (!existsSync(join(dirname(library), `${name}.inputs`))) return undefined;
  return `It is the MG5 library of the subprocess ${name}: see mg5_fortran.log in its SubProcesses/${name}/madnis folder and the build log in OUT/logs.`;
}

export interface BuiltLibrary {
  folder: string;
  library: string;
  rebuilt: boolean;
}

export function buildSubprocessLibrary(folder: string, buildDir: string, logPath: string): BuiltLibrary {
  ensureDirectory(buildDir);
  const name = basename(folder);
  const library = join(buildDir, `${name}.so`);
  const stampPath = join(buildDir, `${name}.inputs`);
  const digest = inputsDigest(folder);
  // reused only when its inputs are unchanged and the library is the file that was built
  // (a truncated or replaced library is rebuilt, never loaded)
  if (!stampMismatch(stampPath, digest)) return { folder, library, rebuilt: false };
  clearStamp(stampPath);
  const run = spawnSync('bash', [join(GLUE, 'build.sh'), folder, `${library}.tmp`], { encoding: 'utf8' });
  writeFileSync(logPath, `${run.stdout ?? ''}\n${run.stderr ?? ''}`);
  if (run.status !== 0) {
    rmSync(`${library}.tmp`, { force: true });
    const last = `${run.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    throw new UserError(`building the process library for ${name} failed: ${last} (log: ${logPath})`);
  }
  // renamed only when complete
  renameSync(`${library}.tmp`, library);
  writeStamp(stampPath, digest, [library]);
  return { folder, library, rebuilt: true };
}
