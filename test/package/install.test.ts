/**
 * The installable package (issue 17): `npm pack` from a clean checkout (this work tree's
 * files, no dist/ and no build/), `npm i -g` of the tarball into a fresh prefix, which
 * builds the native core at install time, then `madnis-ts --version` and `madnis-ts train`
 * from another folder; and a missing toolchain is one line naming the Debian packages.
 * Needs the npm registry (or npm's cache) for the package's dependencies; it builds the
 * addon once more (about 4 minutes on 2 shared cores).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { packageRoot } from '../../src/native/paths.js';
import { VERSION } from '../../src/version.js';

const MINUTE = 60_000;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 10 * MINUTE): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  expect(result.status, `${what}:\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

describe('the npm package: pack, global install into a fresh prefix, run from anywhere', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-package-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const checkout = join(work, 'checkout');
  const prefix = join(work, 'prefix');
  const elsewhere = join(work, 'elsewhere');
  const installed = join(prefix, 'lib', 'node_modules', 'madnis-ts');
  const cli = join(prefix, 'bin', 'madnis-ts');

  it('npm pack from a clean checkout, npm i -g of the tarball (the addon built at install), then --version and train from another folder', () => {
    // a clean checkout: the files git knows (tracked or new, not ignored), with the installed dependencies
    const files = ok(run('git', ['ls-files', '-co', '--exclude-standard', '-z'], packageRoot), 'git ls-files').split('\0').filter(Boolean);
    for (const file of files) {
      if (file === 'node_modules' || !existsSync(join(packageRoot, file))) continue;
      mkdirSync(dirname(join(checkout, file)), { recursive: true });
      cpSync(join(packageRoot, file), join(checkout, file));
    }
    symlinkSync(join(packageRoot, 'node_modules'), join(checkout, 'node_modules'));
    expect(existsSync(join(checkout, 'dist'))).toBe(false);

    let start = performance.now();
    ok(run('npm', ['pack', '--pack-destination', work], checkout), 'npm pack');
    const tarball = join(work, `madnis-ts-${VERSION}.tgz`);
    expect(existsSync(tarball)).toBe(true);
    console.log(`npm pack (builds the TypeScript): ${((performance.now() - start) / 1000).toFixed(0)} s`);

    start = performance.now();
    ok(run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], work), 'npm install --global');
    console.log(`npm install --global of the tarball (builds the native core): ${((performance.now() - start) / 1000).toFixed(0)} s`);
    expect(existsSync(join(installed, 'build', 'native', 'lib', 'madnis.node'))).toBe(true);
    // an installed package builds what the CLI runs, not the native unit tests
    expect(existsSync(join(installed, 'build', 'native', 'bin', 'madnis_native_tests'))).toBe(false);

    mkdirSync(elsewhere);
    expect(ok(run(cli, ['--version'], elsewhere), 'madnis-ts --version').trim()).toBe(VERSION);
    writeFileSync(join(elsewhere, 'quick.yaml'), 'vegas: {iterations: 2, points_per_iteration: 5000}\ntraining: {steps: 20, batch_size: 1024}\nintegration: {points: 20000}\n');
    const train = ok(run(cli, ['train', 'builtin:ee_mumu', '--config', 'quick.yaml', '--threads', '2'], elsewhere), 'madnis-ts train');
    expect(train).toMatch(/sampler: .*sampler\.madnis/);
    expect(existsSync(join(elsewhere, 'madnis_out', 'train_ee_mumu', 'sampler.madnis'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(elsewhere, 'madnis_out', 'train_ee_mumu', 'summary.json'), 'utf8')) as { madnis_ts_version: string };
    expect(summary.madnis_ts_version).toBe(VERSION);
  }, 20 * MINUTE);

  it('a missing toolchain is one line naming the Debian packages to install', () => {
    // PATH with node alone: no g++, make or cmake (the check comes before any build)
    const nodeOnly = join(work, 'node-only');
    mkdirSync(nodeOnly);
    symlinkSync(process.execPath, join(nodeOnly, 'node'));
    const result = run(process.execPath, [join(packageRoot, 'scripts', 'install.mjs')], work, { PATH: nodeOnly });
    expect(result.status, result.stderr).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^madnis-ts: install: cannot build the native core, g\+\+, make, cmake missing: install them \(Debian\/Ubuntu: sudo apt-get install g\+\+ make cmake\)/);
  });
});
