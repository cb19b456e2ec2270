/**
 * Gridpacks, shards, merge and the Slurm runner (issue 15), on the built-in Drell–Yan
 * process: a gridpack generates where the training folder is gone; shards merge into one
 * file and refuse to merge when they are not one run split up; on a real one-node Slurm
 * cluster, 4 shards merged agree with one run of the same size, and a shard killed
 * mid-run is resubmitted, or reported and never merged; `launch --cluster` on MG5's
 * p p > e+ e- writes its events as shards and its report agrees with MG5's own events.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readLhe } from '../../src/lhe/reader.js';
import type { LheEvent } from '../../src/lhe/types.js';
import { haveSharedPdf, pull, runCli, sharedPdfGrid } from '../helpers.js';
import { chi2PValue } from '../stats.js';
import { SMALL_CONFIG_YAML } from '../train/small_config.js';
import { expectReport } from '../mg5/expect_report.js';
import { haveGfortran, testMg5Home } from '../mg5/mg5_home.js';
import { startSlurmCluster, type SlurmCluster } from './slurm_cluster.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-cluster-'));
const gridpack = join(work, 'node', 'gridpack.tar.gz');
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

function trainGridpack(seed: number, into: string): void {
  const trained = join(work, `train-${seed}`);
  const train = runCli(['train', 'builtin:dy_zprime', '--pdf', sharedPdfGrid, '--config', join(work, 'small.yaml'), '--out', trained, '--threads', '1', '--seed', String(seed)]);
  expect(train.status, train.stderr).toBe(0);
  const pack = runCli(['gridpack', trained]);
  expect(pack.status, pack.stderr).toBe(0);
  mkdirSync(join(into, '..'), { recursive: true });
  renameSync(join(trained, 'gridpack.tar.gz'), into);
  // the gridpack stands alone: the training folder is gone
  rmSync(trained, { recursive: true, force: true });
}

beforeAll(() => {
  if (!haveSharedPdf) return;
  writeFileSync(join(work, 'small.yaml'), SMALL_CONFIG_YAML);
  trainGridpack(1, gridpack);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** m_ll of a Drell–Yan event */
function mass(event: LheEvent): number {
  const out = event.particles.filter((p) => p.status === 1);
  const e = out.reduce((a, p) => a + p.e, 0), px = out.reduce((a, p) => a + p.px, 0), py = out.reduce((a, p) => a + p.py, 0), pz = out.reduce((a, p) => a + p.pz, 0);
  return Math.sqrt(Math.max(0, e * e - px * px - py * py - pz * pz));
}

async function eventsOf(path: string): Promise<LheEvent[]> {
  const events: LheEvent[] = [];
  await readLhe(path, (e) => { events.push(e); });
  return events;
}

/** Two-sample χ² of counts (bins with fewer than 5 events in both merged away). */
function twoSampleP(a: number[], b: number[]): number {
  const na = a.reduce((s, x) => s + x, 0), nb = b.reduce((s, x) => s + x, 0);
  let chi2 = 0, ndf = -1;
  for (let i = 0; i < a.length; ++i) {
    if (a[i]! + b[i]! < 10) continue;
    chi2 += (a[i]! / na - b[i]! / nb) ** 2 / (a[i]! / na ** 2 + b[i]! / nb ** 2);
    ++ndf;
  }
  return chi2PValue(chi2, Math.max(1, ndf));
}

function massCounts(events: LheEvent[]): number[] {
  const counts = new Array<number>(20).fill(0);
  for (const e of events) counts[Math.min(19, Math.floor(Math.log(mass(e) / 50) / Math.log(4000 / 50) * 20))]! += 1;
  return counts;
}

const eventKey = (e: LheEvent) => e.particles.map((p) => `${p.px} ${p.py} ${p.pz}`).join('|');

describe.skipIf(!haveSharedPdf)('gridpacks, shards and merge (built-in dy_zprime)', () => {
  const shard = (index: number, count: number, out: string, env: Record<string, string> = {}, seed = 5, pack = gridpack, events = 400) =>
    runCli(['generate', pack, '--events', String(events), '--seed', String(seed), '--shard', `${index}/${count}`, '--threads', '1', '--batch', '4096', '--out', out], env);

  it('a gridpack unpacked elsewhere, its training folder removed, generates events with its σ and w_max', async () => {
    const run = runCli(['generate', gridpack, '--events', '300', '--seed', '3', '--threads', '1', '--out', join(work, 'single')]);
    expect(run.status, run.stderr).toBe(0);
    const summary = json(join(work, 'single', 'Events', 'run_01', 'summary.json'));
    expect(summary.completed).toBe(true);
    expect(summary.events).toBe(300);
    expect(summary.gridpack.id).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.w_max_source).toContain("the sampler's final integration");
    expect((await eventsOf(summary.lhe_file)).length).toBe(300);
  });

  it('merges shards of one gridpack; refuses shared streams, other gridpacks and unfinished shards in one line', async () => {
    const dirs = [0, 1].map((i) => join(work, `shard${i}`));
    for (const [i, dir] of dirs.entries()) expect(shard(i, 2, dir).status).toBe(0);
    const runs = dirs.map((d) => join(d, 'Events', 'run_01'));
    const merged = runCli(['merge', ...runs, '--out', join(work, 'merged')]);
    expect(merged.status, merged.stderr).toBe(0);
    const summary = json(join(work, 'merged', 'Events', 'run_01', 'summary.json'));
    expect(summary.events).toBe(800);
    const events = await eventsOf(summary.lhe_file);
    const mean = events.reduce((a, e) => a + e.weight, 0) / events.length;
    expect(Math.abs(mean / summary.sigma_pb - 1)).toBeLessThan(1e-9);
    expect(new Set(events.map(eventKey)).size).toBe(800);
    // every event keeps its <rwgt> scale variations (as factors of XWGTUP) and its trailer, and
    // the merged variations are the shards' ratios weighted by their sums of weight factors
    const withExtras = async (path: string) => {
      const read: LheEvent[] = [];
      await readLhe(path, (e) => { read.push(e); }, undefined, { extras: true });
      return read;
    };
    const shardSummaries = runs.map((r) => json(join(r, 'summary.json')));
    const shardEvents = (await Promise.all(shardSummaries.map((s) => withExtras(s.lhe_file)))).flat();
    const mergedEvents = await withExtras(summary.lhe_file);
    expect(mergedEvents[0]!.reweights!.ids).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    mergedEvents.forEach((event, k) => {
      const before = shardEvents[k]!;
      expect(event.trailer).toBe(before.trailer);
      Array.from(before.reweights!.factors).forEach((f, v) => expect(Math.abs(event.reweights!.factors[v]! - f)).toBeLessThan(1e-9 * Math.abs(f) + 1e-12));
    });
    expect(gunzipSync(readFileSync(summary.lhe_file)).toString()).toMatch(/<initrwgt>\n<weightgroup name="Central scale variation" combine="envelope">[\s\S]*<\/initrwgt>/);
    expect(summary.scale_variations.computed).toBe(true);
    const weightSums = shardSummaries.map((s) => s.normalisation.sum_weight_factors);
    summary.scale_variations.variations.forEach((v: { ratio_to_central: number; sigma_pb: number }, i: number) => {
      const expected = shardSummaries.reduce((a, s, j) => a + weightSums[j] * s.scale_variations.variations[i].ratio_to_central, 0) / weightSums.reduce((a, b) => a + b, 0);
      expect(Math.abs(v.ratio_to_central / expected - 1)).toBeLessThan(1e-9);
      expect(Math.abs(v.sigma_pb / (summary.sigma_pb * v.ratio_to_central) - 1)).toBeLessThan(1e-12);
    });
    expect(merged.stdout).toContain('scale_variations (<rwgt> ids 1–9');

    const refused = (args: string[], pattern: RegExp) => {
      const run = runCli(['merge', ...args, '--out', join(work, 'refused')]);
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(pattern);
    };
    // the same shard again (a second copy of shard 0)
    expect(shard(0, 2, join(work, 'again')).status).toBe(0);
    refused([runs[0]!, join(work, 'again', 'Events', 'run_01')], /drew from the same random streams/);
    // 0/2 and 0/3 share iteration 0
    expect(shard(0, 3, join(work, 'three')).status).toBe(0);
    refused([runs[0]!, join(work, 'three', 'Events', 'run_01')], /same random streams/);
    // another gridpack
    const other = join(work, 'other', 'gridpack.tar.gz');
    trainGridpack(2, other);
    expect(shard(2, 4, join(work, 'other-shard'), {}, 5, other).status).toBe(0);
    refused([runs[0]!, join(work, 'other-shard', 'Events', 'run_01')], /different gridpacks/);
    // interrupted (SIGTERM: completed false) and killed (SIGKILL: no summary)
    expect(shard(1, 4, join(work, 'term'), { MADNIS_TEST_FAULT: 'generation:SIGTERM' }, 5, gridpack, 20_000).status).toBe(1);
    refused([runs[0]!, join(work, 'term', 'Events', 'run_01')], /interrupted \(summary.json says completed: false\)/);
    expect(shard(1, 4, join(work, 'kill'), { MADNIS_TEST_FAULT: 'generation:SIGKILL' }, 5, gridpack, 20_000).status).not.toBe(0);
    refused([runs[0]!, join(work, 'kill', 'Events', 'run_01')], /not a finished run/);
    expect(existsSync(join(work, 'refused'))).toBe(false);
  });

  it('refuses a shard index beyond its count', () => {
    const run = runCli(['generate', gridpack, '--events', '10', '--shard', '4/4', '--out', join(work, 'bad')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--shard must be i/N');
  });
});

let slurm: SlurmCluster | undefined;
let slurmReason = 'no shared PDF grid';
if (haveSharedPdf) {
  const started = startSlurmCluster();
  slurm = started.cluster;
  slurmReason = started.reason ?? '';
  if (!slurm) console.warn(`skipping the Slurm tests: ${slurmReason}`);
}
afterAll(() => slurm?.stop());

describe.skipIf(!slurm)('on a one-node Slurm cluster (slurm-wlm, munge)', () => {
  const cluster = (out: string, extra: string[] = [], env: Record<string, string> = {}) =>
    runCli(['generate', gridpack, '--cluster', 'slurm', '--jobs', '4', '--events', '6000', '--seed', '11', '--threads', '1', '--poll', '1', '--out', out, ...extra], { ...slurm!.env, ...env }, 600_000);

  it('4 shards merged: σ, composition and m_ll as one run of the same size, no duplicate events', async () => {
    const run = cluster(join(work, 'slurm'));
    expect(run.status, run.stderr).toBe(0);
    expect(run.progress.some((l) => /shards \(slurm \d+\) 100 %/.test(l))).toBe(true);
    const summary = json(join(work, 'slurm', 'Events', 'run_01', 'summary.json'));
    expect(summary.events).toBe(6000);
    expect(summary.shards.map((s: { shard: string }) => s.shard)).toEqual(['0/4', '1/4', '2/4', '3/4']);
    const single = runCli(['generate', gridpack, '--events', '6000', '--seed', '12', '--threads', '1', '--out', join(work, 'one')]);
    expect(single.status, single.stderr).toBe(0);
    const one = json(join(work, 'one', 'Events', 'run_01', 'summary.json'));
    expect(Math.abs(pull(summary.sigma_pb, summary.sigma_error_pb, one.generation_sigma_pb, one.generation_sigma_error_pb))).toBeLessThan(4);
    const merged = await eventsOf(summary.lhe_file), alone = await eventsOf(one.lhe_file);
    expect(new Set(merged.map(eventKey)).size).toBe(6000);
    expect(twoSampleP(massCounts(merged), massCounts(alone))).toBeGreaterThan(0.001);
    const shardSummaries = summary.shards.map((s: { run: string }) => json(join(s.run, 'summary.json')));
    const channels = one.composition.channels.map((_: unknown, c: number) => shardSummaries.reduce((a: number, s: { composition: { channels: Array<{ events: number }> } }) => a + s.composition.channels[c]!.events, 0));
    expect(twoSampleP(channels, one.composition.channels.map((c: { events: number }) => c.events))).toBeGreaterThan(0.001);
  });

  it('a shard killed mid-run is resubmitted and the merged file is complete', () => {
    const out = join(work, 'slurm-kill');
    const run = cluster(out, [], { MADNIS_TEST_FAULT: 'generation-shard-1-attempt-1:SIGKILL' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/shard 1 ended without a complete run .*: resubmitted/);
    const summary = json(join(out, 'Events', 'run_01', 'summary.json'));
    expect(summary.cluster.resubmitted).toEqual([1]);
    expect(summary.events).toBe(6000);
    // the killed attempt's partial file stays beside the rerun's complete one, unmerged
    const shard1 = join(out, 'Events', 'run_01', 'shards', 'shard_001', 'Events');
    expect(readdirSync(shard1).sort()).toEqual(['run_01', 'run_02']);
    expect(existsSync(join(shard1, 'run_01', 'summary.json'))).toBe(false);
    expect(summary.shards[1].run).toBe(join(shard1, 'run_02'));
  });

  it('a shard killed on its last submission is reported, and nothing is merged', () => {
    const out = join(work, 'slurm-fail');
    const run = cluster(out, ['--retries', '0'], { MADNIS_TEST_FAULT: 'generation-shard-2-attempt-1:SIGKILL' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error: 1 of 4 shards failed after 1 submissions \(shard 2; .*log .*shard_2\.job_\d+\.log\); nothing merged/);
    const runDir = join(out, 'Events', 'run_01');
    expect(existsSync(join(runDir, 'unweighted_events.lhe.gz'))).toBe(false);
    expect(json(join(runDir, 'summary.json')).completed).toBe(false);
  });
});

const mg5Home = testMg5Home();

describe.skipIf(!slurm || !mg5Home || !haveGfortran)('launch --cluster on MG5 p p > e+ e- (one-node Slurm, MG5 and gfortran)', () => {
  const card = join(work, 'pp_ee.dat');
  const config = join(work, 'launch.yaml');
  const out = join(work, 'launch-slurm');
  const launch = (...extra: string[]) =>
    runCli(['launch', card, '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '3000', '--threads', '1', '--seed', '4', ...extra], slurm!.env, 1_200_000);

  it('trains here, writes the events as 3 shards on Slurm, merges them: MG5\'s report agrees; a local relaunch of the same sampler gives the same σ and m_ll', async () => {
    writeFileSync(card, 'import model sm\ndefine p = g u c d s u~ c~ d~ s~\ngenerate p p > e+ e-\n');
    writeFileSync(config, 'vegas: {iterations: 4, points_per_iteration: 10000}\ntraining: {steps: 30, batch_size: 1024, stop_for_events: false}\nintegration: {points: 20000}\n');
    const run = launch('--cluster', 'slurm', '--jobs', '3', '--poll', '1');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/3[ ,]?000 unweighted events: .*\(acceptance .* points, 3 shards on slurm, merged\)/);
    const summary = json(join(out, 'summary.json'));
    expect(summary.cluster.engine).toBe('slurm');
    expect(summary.cluster.jobs).toBe(3);
    expect(summary.events.count).toBe(3000);
    // the shards' events, counted per channel and part, are the merged file's
    expect(summary.events.composition.parts.reduce((a: number, p: { events: number }) => a + p.events, 0)).toBe(3000);
    const events = await eventsOf(summary.events.file);
    expect(events).toHaveLength(3000);
    expect(new Set(events.map(eventKey)).size).toBe(3000);
    // the merged file is MG5's record (<mgrwt> in every event, banner, mean weight = σ), and agrees with MG5's own events
    expectReport(out, summary);

    const local = launch('--no-baseline');
    expect(local.status, local.stderr).toBe(0);
    const again = json(join(out, 'summary.json'));
    expect(again.reused.sampler).toBe(true);
    expect(again.cluster).toBeUndefined();
    const initSigma = (s: { events: { normalisation: { sigma_pb: number } } }) => s.events.normalisation.sigma_pb;
    // merged σ from the shards' generation points; local σ from the training's final integration
    expect(Math.abs(pull(initSigma(summary), summary.events.presample_sigma_error_pb, initSigma(again), again.events.presample_sigma_error_pb))).toBeLessThan(3);
    const mll = (list: LheEvent[]) => {
      const counts = new Array<number>(20).fill(0);
      for (const e of list) counts[Math.min(19, Math.floor(Math.log(mass(e) / 10) / Math.log(1000 / 10) * 20))]! += 1;
      return counts;
    };
    expect(twoSampleP(mll(events), mll(await eventsOf(again.events.file)))).toBeGreaterThan(0.001);
  });
});
