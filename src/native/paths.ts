import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: src/native and dist/native both sit two levels below it. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const nativeBuildDir = join(packageRoot, 'build', 'native');
export const addonPath = join(nativeBuildDir, 'lib', 'madnis.node');
export const builtinProcessDir = join(nativeBuildDir, 'processes');
export const nativeTestBinary = join(nativeBuildDir, 'bin', 'madnis_native_tests');
export const testFixtureDir = join(nativeBuildDir, 'test_fixtures');
