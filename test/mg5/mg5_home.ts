/**
 * The MadGraph5 installation the MG5 tests use: MG5_HOME when set, else a private copy of
 * the project's shared MG5 (../shared/mg5, read-only: MG5 writes into its own folder, e.g.
 * compiled Python files and model caches), made once per test process.
 *
 * The shared copy stores MG5's symbolic links as small text files holding the link target
 * (madgraph/VERSION holds "../VERSION", and MG5 then fails to read its own version):
 * the private copy turns them back into links.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { afterAll } from 'vitest';

import { sharedDir } from '../helpers.js';

export const sharedMg5 = join(sharedDir, 'mg5');

/** Small files whose whole content is a relative path to an existing file: flattened links. */
function restoreLinks(dir: string): number {
  let restored = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      restored += restoreLinks(path);
      continue;
    }
    if (!entry.isFile() || lstatSync(path).size > 200) continue;
    const target = readFileSync(path, 'utf8').trim();
    if (!/^[\w.-]*\/[\w./-]+$/.test(target) || target.startsWith('/')) continue;
    const resolved = resolve(dirname(path), target);
    if (!existsSync(resolved) || !statSync(resolved).isFile()) continue;
    rmSync(path);
    symlinkSync(target, path);
    ++restored;
  }
  return restored;
}

let copy: string | undefined;

/**
 * The MG5 folder to run, or undefined (with the reason printed) when there is none. Call it
 * while the test file is collected: the private copy is removed after the file's tests.
 */
export function testMg5Home(): string | undefined {
  const home = process.env.MG5_HOME;
  if (home) {
    if (existsSync(join(home, 'bin', 'mg5_aMC'))) return home;
    console.log(`MG5 tests skipped: MG5_HOME=${home} has no bin/mg5_aMC`);
    return undefined;
  }
  if (copy) return copy;
  if (!existsSync(join(sharedMg5, 'bin', 'mg5_aMC'))) {
    console.log(`MG5 tests skipped: no MG5_HOME and no MadGraph5 at ${sharedMg5}`);
    return undefined;
  }
  const root = mkdtempSync(join(tmpdir(), 'madnis-test-mg5-'));
  copy = join(root, 'mg5');
  cpSync(sharedMg5, copy, { recursive: true });
  restoreLinks(copy);
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return copy;
}

/** gfortran compiles MadEvent's Fortran (and our glue). */
export const haveGfortran = spawnSync('gfortran', ['--version']).status === 0;
