/**
 * Step stamps: what makes a cached step's outputs trustworthy. A step removes its stamp
 * before it runs and writes it only after its outputs exist, holding the hash of its
 * inputs and of every output file; a stamp is valid only when both still match. A step
 * killed half way therefore leaves no stamp, and a rerun redoes it instead of trusting
 * what it left behind; an output changed by hand (or truncated) is noticed too.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';

import { writeJsonAtomic } from './atomic_write.js';

interface StampFile {
  inputs: string;
  outputs: Record<string, string>;
}

/** sha256 of the parts, each followed by a NUL (so that ('ab', 'c') ≠ ('a', 'bc')). */
export function digest(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

export function fileDigest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function readStampFile(path: string): StampFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(path, 'utf8')) as StampFile;
    return typeof stamp.inputs === 'string' && stamp.outputs && typeof stamp.outputs === 'object' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the stamp at `path` does not vouch for outputs made from `inputs`, or undefined
 * when it does (same inputs, every output present with the hash it had).
 */
export function stampMismatch(path: string, inputs: string): string | undefined {
  const stamp = readStampFile(path);
  if (!stamp) return 'not done (or interrupted)';
  if (stamp.inputs !== inputs) return 'its inputs changed';
  for (const [file, hash] of Object.entries(stamp.outputs)) {
    if (!existsSync(file)) return `${file} is missing`;
    if (fileDigest(file) !== hash) return `${file} changed since`;
  }
  return undefined;
}

/** Before a step runs: its outputs are no longer vouched for. */
export function clearStamp(path: string): void {
  rmSync(path, { force: true });
}

/** After a step's outputs are complete: vouch for them (missing outputs are an error). */
export function writeStamp(path: string, inputs: string, outputs: string[]): void {
  const hashes: Record<string, string> = {};
  for (const file of outputs) {
    if (!existsSync(file)) throw new Error(`step output ${file} is missing: the step did not complete`);
    hashes[file] = fileDigest(file);
  }
  writeJsonAtomic(path, { inputs, outputs: hashes } satisfies StampFile);
}
