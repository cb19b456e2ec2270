/**
 * One run at a time per output folder: a lock file created exclusively, holding the pid of
 * the run and the process groups it started (MG5, compilers). A lock whose run is gone (a
 * kill -9, a crash, a reboot) is taken over: what that run left running in its groups is
 * stopped first, so it cannot write into the folder behind the new run's back.
 */
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

import { writeJsonAtomic } from './atomic_write.js';
import { childGroups, groupAlive, killGroups, onChildGroups } from './child_groups.js';
import { ensureDirectory } from './directories.js';
import { UserError } from './errors.js';

interface LockFile {
  pid: number;
  host: string;
  command: string;
  started: string;
  groups: number[];
}

export interface RunLock {
  path: string;
  /** what a killed run had left behind when the lock was taken over, for the user */
  tookOver?: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockFile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockFile;
  } catch {
    // being written, or damaged: treated as a dead run's
    return undefined;
  }
}

/** Locks the folder of `path` (the lock file's path, from the output layout) for `command`. */
export function acquireRunLock(path: string, command: string): RunLock {
  const dir = dirname(path);
  ensureDirectory(dir);
  const mine: LockFile = { pid: process.pid, host: hostname(), command, started: new Date().toISOString(), groups: [] };
  let tookOver: string | undefined;
  for (let attempt = 0; attempt < 5; ++attempt) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`cannot create ${path}: ${(error as NodeJS.ErrnoException).code}`);
      const other = readLock(path);
      if (other && other.host === mine.host && other.pid !== process.pid && alive(other.pid)) {
        throw new UserError(`another madnis-ts ${other.command} (pid ${other.pid}, started ${other.started}) is running in ${dir}: wait for it to finish, or stop it, or use another --out`);
      }
      if (other && other.host !== mine.host) {
        throw new UserError(`${path} belongs to a madnis-ts ${other.command} on ${other.host} (pid ${other.pid}): if that run is over, remove the lock file`);
      }
      // a dead run's lock: stop what it left running, then take over
      const left = (other?.groups ?? []).filter(groupAlive);
      killGroups(left, 'SIGKILL');
      tookOver = `the previous run in ${dir} (pid ${other?.pid ?? '?'}) was interrupted${left.length ? `; stopped what it left running (process groups ${left.join(', ')})` : ''}`;
      rmSync(path, { force: true });
      continue;
    }
    const update = () => writeJsonAtomic(path, { ...mine, groups: childGroups() });
    const stopListening = onChildGroups(update);
    let released = false;
    return {
      path,
      tookOver,
      release() {
        if (released) return;
        released = true;
        stopListening();
        rmSync(path, { force: true });
      },
    };
  }
  throw new UserError(`could not lock ${dir}: other runs keep starting there`);
}
