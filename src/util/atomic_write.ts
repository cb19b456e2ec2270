import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { ensureDirectory } from './directories.js';

/**
 * Writes a file under a temporary name and renames it into place, so a file under the
 * final name is always complete.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureDirectory(dirname(path));
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
