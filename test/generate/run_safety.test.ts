/**
 * `madnis-ts generate` against what a real machine does to a run: several runs into one
 * folder at once, and a disk that fills up. Each run either writes its own complete run
 * folder or fails in one line, leaving nothing under a final name.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROGRESS_PREFIX } from '../../src/cli/progress.js';
import { readLhe } from '../../src/lhe/reader.js';
import { packageRoot } from '../../src/native/paths.js';
import { runCli } from '../helpers.js';
import { SMALL_CONFIG_YAML } from '../train/small_config.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-run-safety-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sampler = join(work, 'ee', 'sampler.madnis');

beforeAll(() => {
  const config = join(work, 'small.yaml');
  writeFileSync(config, SMALL_CONFIG_YAML);
  const run = runCli(['train', 'builtin:ee_mumu?sqrts=200', '--config', config, '--out', join(work, 'ee'), '--threads', '2']);
  expect(run.status, run.stderr).toBe(0);
});

/** The CLI as a child process that runs alongside others. */
function cliAsync(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'madnis-ts.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('concurrent generate runs into one folder', () => {
  it('each claims its own run_XX and writes it completely, round after round', async () => {
    const out = join(work, 'shared-out');
    const parallel = 4, rounds = 3, events = 300;
    let seed = 100;
    for (let round = 0; round < rounds; ++round) {
      const runs = await Promise.all(Array.from({ length: parallel }, () =>
        cliAsync(['generate', sampler, '--events', String(events), '--seed', String(++seed), '--threads', '1', '--presample', '20000', '--out', out])));
      for (const run of runs) expect(run.status, run.stderr).toBe(0);
    }
    const dirs = readdirSync(join(out, 'Events')).sort();
    expect(dirs).toEqual(Array.from({ length: parallel * rounds }, (_, i) => `run_${String(i + 1).padStart(2, '0')}`));
    const seeds = new Set<number>();
    for (const dir of dirs) {
      const runDir = join(out, 'Events', dir);
      // nothing but the run's own two files: no partial or temporary file of another run
      expect(readdirSync(runDir).sort()).toEqual(['summary.json', 'unweighted_events.lhe.gz']);
      const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
      expect(summary.completed).toBe(true);
      expect(summary.lhe_file).toBe(join(runDir, 'unweighted_events.lhe.gz'));
      seeds.add(summary.seed);
      // the events are the run's own: its count, and its seed in the banner
      const read = await readLhe(summary.lhe_file, () => {});
      expect(read.events).toBe(events);
      expect(read.header).toContain(`\nseed: ${summary.seed}\n`);
    }
    expect(seeds.size).toBe(parallel * rounds);
  });
});

/** A small tmpfs can be mounted in a private mount namespace (unshare -rm) on this machine. */
function canMountTmpfs(): boolean {
  const dir = mkdtempSync(join(work, 'probe-'));
  return spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$0"', dir]).status === 0;
}
const tmpfs = canMountTmpfs();

/**
 * Runs the CLI with `dir` a fresh tmpfs of `size` (it lives as long as the command, in a
 * private mount namespace): returns its exit status, stderr and every file left in `dir`.
 */
function cliOnSmallDisk(size: string, dir: string, args: string[]): { status: number | null; stderr: string; files: string[] } {
  mkdirSync(dir, { recursive: true });
  const listing = `${dir}.files`;
  const script = 'mount -t tmpfs -o size="$1" tmpfs "$2" || exit 99; shift 3; "$@"; rc=$?; (cd "$0" && find . -type f | sort) > "$listing"; exit $rc';
  const run = spawnSync('unshare', ['-rm', 'sh', '-c', script.replace('"$0"', `"${dir}"`).replace('"$listing"', `"${listing}"`), 'sh', size, dir, 'x',
    process.execPath, join(packageRoot, 'bin', 'madnis-ts.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  expect(run.status).not.toBe(99);
  // without the plain progress lines (stderr is a pipe)
  const stderr = run.stderr.split(/(?<=\n)/).filter((line) => !line.startsWith(PROGRESS_PREFIX)).join('');
  return { status: run.status, stderr, files: readFileSync(listing, 'utf8').split('\n').filter(Boolean) };
}

describe.skipIf(!tmpfs)('a full disk (a small tmpfs)', () => {
  it('generate: one-line error naming the event file, exit 1, nothing under a final name', () => {
    const out = join(work, 'full-generate');
    const run = cliOnSmallDisk('256k', out, ['generate', sampler, '--events', '20000', '--threads', '2', '--presample', '20000', '--out', out]);
    expect(run.status, run.stderr).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^madnis-ts: error: cannot write .*Events\/run_01\/unweighted_events\.lhe\.partial: no space left on the device \(ENOSPC\); free some space or write elsewhere \(--out\)/);
    // no event file, no summary claiming a run, no temporary or partial file
    expect(run.files).toEqual([]);
  });

  it('train: the sampler file does not fit: one line naming it, no file under its name or a temporary one', () => {
    const config = join(work, 'small.yaml');
    const out = join(work, 'full-train');
    const run = cliOnSmallDisk('8k', out, ['train', 'builtin:ee_mumu?sqrts=200', '--config', config, '--out', out, '--threads', '2']);
    expect(run.status, run.stderr).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^madnis-ts: error: cannot write .*full-train\/(checkpoint|sampler)\.madnis: no space left on the device \(ENOSPC\)/);
    expect(run.files.filter((f) => /sampler\.madnis$|summary\.json$|\.tmp-/.test(f))).toEqual([]);
  });
});
