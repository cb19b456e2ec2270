import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { ensureDirectory } from './directories.js';
import { storageError } from './errors.js';

/**
 * Writes a file under a temporary name and renames it into place, so a file under the
 * final name is always complete. A full disk is the user's error naming the file (the
 * temporary file is removed).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureDirectory(dirname(path));
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw storageError(error, path);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
