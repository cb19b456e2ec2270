/**
 * The process groups of the external programs a run started (MG5 and the compilers and
 * jobs it starts in turn). Each runs in its own group, so a signal that stops madnis-ts
 * stops all of them with it, and a rerun after a kill -9 can stop what the killed run left
 * running (the groups are written into the output folder's lock, util/run_lock.ts).
 */
const groups = new Set<number>();
const listeners = new Set<(groups: number[]) => void>();

export function addChildGroup(pid: number): void {
  groups.add(pid);
  for (const listener of listeners) listener([...groups]);
}

export function removeChildGroup(pid: number): void {
  groups.delete(pid);
  for (const listener of listeners) listener([...groups]);
}

export function childGroups(): number[] {
  return [...groups];
}

/** Called with the live groups whenever they change. */
export function onChildGroups(listener: (groups: number[]) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether a process group still has a member. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals every group (ignoring those already gone). */
export function killGroups(pgids: number[], signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const pgid of pgids) {
    try {
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
  }
}
