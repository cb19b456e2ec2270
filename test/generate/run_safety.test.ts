/**
 * `madnis-ts generate` against what a real machine does to a run: several runs into one
 * folder at once, and a disk that fills up. Each run either writes its own complete run
 * folder or fails in one line, leaving nothing under a final name.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
