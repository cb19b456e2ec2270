#!/usr/bin/env node
// npm's `install` script: builds the native core (build/native/) where the package is
// installed, with cmake-js. A missing toolchain is one line naming the Debian packages.
// In a development checkout (vitest installed) it builds everything, the native unit tests
// included; an installed package builds only what the CLI runs: the addon and the
// built-in processes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIME_TARGETS = ['madnis_addon', 'ee_mumu', 'dy_zprime', 'camel', 'ring'];
const EIGEN_HEADERS = ['/usr/include/eigen3/Eigen/Core', '/usr/local/include/eigen3/Eigen/Core'];

const onPath = (command) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));

/** The Debian packages the build needs and this machine lacks. */
function missingPackages() {
  const missing = [];
  if (!onPath('g++')) missing.push('g++');
  if (!onPath('make') && !onPath('ninja')) missing.push('make');
  if (!onPath('cmake')) missing.push('cmake');
  // CMake may find an Eigen installed elsewhere when told where (CMAKE_PREFIX_PATH, Eigen3_DIR)
  if (!EIGEN_HEADERS.some((file) => existsSync(file)) && !process.env.CMAKE_PREFIX_PATH && !process.env.Eigen3_DIR) missing.push('libeigen3-dev');
  return missing;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`madnis-ts: install: building the native core failed (${command} ${args.join(' ')}): see the compiler output above\n`);
    process.exit(1);
  }
}

const missing = missingPackages();
if (missing.length) {
  process.stderr.write(`madnis-ts: install: cannot build the native core, ${missing.join(', ')} missing: install them (Debian/Ubuntu: sudo apt-get install ${missing.join(' ')}) and install madnis-ts again\n`);
  process.exit(1);
}

const require = createRequire(import.meta.url);
const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const development = existsSync(join(root, 'node_modules', 'vitest'));
if (development) {
  run(process.execPath, [cmakeJs, 'compile', '--directory', 'native', '--out', 'build/native']);
} else {
  run(process.execPath, [cmakeJs, 'configure', '--directory', 'native', '--out', 'build/native']);
  run('cmake', ['--build', 'build/native', '--parallel', '--target', ...RUNTIME_TARGETS]);
}
