/**
 * Output folders: created level by level, with an error that names the folder and says
 * why when it cannot be (a file in the way, no permission, a read-only or virtual file
 * system). Node's own recursive mkdir can spin forever on some paths (under /proc).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { UserError } from './errors.js';

const REASONS: Record<string, string> = {
  ENOTDIR: 'a file is in the way',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOENT: 'cannot be created there',
};

export function ensureDirectory(path: string): void {
  const target = resolve(path);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    let stats;
    try {
      stats = statSync(at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        // a file somewhere above: name it
        at = dirname(at);
        continue;
      }
      if (code !== 'ENOENT' || dirname(at) === at) throw new UserError(`cannot create the folder ${target}: ${REASONS[code ?? ''] ?? code} (${at})`);
      missing.push(at);
      at = dirname(at);
      continue;
    }
    if (!stats.isDirectory()) throw new UserError(`cannot create the folder ${target}: ${at} is not a folder`);
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'EEXIST' && statSync(dir).isDirectory()) continue;
      throw new UserError(`cannot create the folder ${target}: ${REASONS[code] ?? code} (${dir})`);
    }
  }
}

/**
 * Creates the folder `path` (its parent must exist) unless it exists: true when this call
 * created it, false when it was already there. mkdir without `recursive` is atomic, so of
 * several processes claiming one name exactly one gets true.
 */
export function claimDirectory(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'EEXIST') return false;
    throw new UserError(`cannot create the folder ${path}: ${REASONS[code] ?? code}`);
  }
}
