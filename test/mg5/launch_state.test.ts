/**
 * What launch keeps between runs never misleads (issue 16), on MG5's p p > e+ e-: a run
 * killed at any stage (kill -9, SIGTERM, SIGINT, injected at that stage through
 * MADNIS_TEST_FAULT) leaves nothing that looks complete, and the rerun gives exactly the
 * uninterrupted run's σ and events; an interrupted training goes on with --resume; an
 * unchanged relaunch reuses everything, the trained sampler included; the cards are MG5's
 * defaults unless given, `--set` reaches them through MG5's card reader, run_tag is
 * honoured, and a sampler, baseline or report made with other cards is refused; a gridpack
 * of a launched process generates after the launch folder is gone.
 * Needs MadGraph5 and gfortran; skipped, with the reason, otherwise.
 */
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { pull, runCli } from '../helpers.js';
import { haveGfortran, testMg5Home } from './mg5_home.js';

const mg5Home = testMg5Home();

interface Summary {
  completed: boolean;
  sigma_pb: number;
  sigma_error_pb: number;
  reused: Record<string, boolean>;
  inputs: { key: string; cards_key: string; cards: { set: string[]; run_tag: string; run_card: { source: string } } };
  events: { file: string; count: number };
  advice?: string;
}

/** The events of an LHE file, without the banner (which names the output folder). */
function eventBlocks(path: string): string {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  return text.slice(text.indexOf('<event>'));
}

/** Every event file under OUT/Events/run_XX whose run finished (a summary.json says so). */
function completeRuns(out: string): string[] {
  const events = join(out, 'Events');
  if (!existsSync(events)) return [];
  return readdirSync(events).filter((run) => existsSync(join(events, run, 'unweighted_events.lhe.gz')));
}

describe.skipIf(!mg5Home || !haveGfortran)('launch state through kills, relaunches and card changes (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-launch-state-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const card = join(work, 'pp_ee.dat');
  writeFileSync(card, 'import model sm\ndefine p = g u c d s u~ c~ d~ s~\ngenerate p p > e+ e-\n');
  const config = join(work, 'quick.yaml');
  writeFileSync(config, 'vegas: {iterations: 4, points_per_iteration: 10000}\ntraining: {steps: 30, batch_size: 1024, checkpoint_every: 5, stop_for_events: false}\nintegration: {points: 20000}\n');
  const launchArgs = (out: string, ...extra: string[]) =>
    ['launch', card, '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '500', '--threads', '2', '--no-baseline', ...extra];
  const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  const reference = join(work, 'reference');
  let uninterrupted: Summary;

  it('uninterrupted, then relaunched unchanged: everything reused, the trained sampler included (stated), the same σ and events', () => {
    const run = runCli(launchArgs(reference));
    expect(run.status, run.stderr).toBe(0);
    uninterrupted = summaryOf(reference);
    expect(uninterrupted.completed).toBe(true);
    expect(uninterrupted.reused).toEqual({ mg5_output: false, mg5_prepare: false, build: false, sampler: false });
    expect(uninterrupted.inputs.cards.run_card.source).toMatch(/MG5's default/);

    const again = runCli(launchArgs(reference));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/no training: .*sampler\.madnis was trained from the same libraries, cards, configuration, seed and threads, and is reused/);
    const second = summaryOf(reference);
    expect(second.reused).toEqual({ mg5_output: true, mg5_prepare: true, build: true, sampler: true });
    expect(second.sigma_pb).toBe(uninterrupted.sigma_pb);
    expect(eventBlocks(second.events.file)).toBe(eventBlocks(uninterrupted.events.file));
  });

  it('killed in each stage (kill -9, SIGTERM, SIGINT): nothing looks complete, and the rerun gives the uninterrupted σ and events exactly', () => {
    const out = join(work, 'killed');
    for (const fault of ['output:SIGKILL', 'prepare:SIGTERM', 'build:SIGKILL', 'generation:SIGINT']) {
      const run = runCli(launchArgs(out), { MADNIS_TEST_FAULT: fault });
      expect(run.status, `${fault}: ${run.stderr}`).not.toBe(0);
      // no summary claims a result, no run folder holds a complete event file
      if (existsSync(join(out, 'summary.json'))) {
        const partial = summaryOf(out);
        expect(partial.completed, fault).toBe(false);
        expect(partial.advice).toMatch(/rerun the same command/);
      }
      expect(completeRuns(out), fault).toEqual([]);
      expect(runCli(['report', out]).status, fault).toBe(1);
    }
    const run = runCli(launchArgs(out));
    expect(run.status, run.stderr).toBe(0);
    const rerun = summaryOf(out);
    expect(rerun.completed).toBe(true);
    // the training finished before the kill during generation: reused, as it was complete
    expect(rerun.reused.sampler).toBe(true);
    expect(rerun.sigma_pb).toBe(uninterrupted.sigma_pb);
    expect(rerun.sigma_error_pb).toBe(uninterrupted.sigma_error_pb);
    expect(eventBlocks(rerun.events.file)).toBe(eventBlocks(uninterrupted.events.file));
  });

  it('a truncated library and a damaged process folder: refused or rebuilt, never used; the rerun gives the same events', () => {
    const out = join(work, 'killed');
    const library = join(out, 'build', 'P1_qq_ll.so');
    writeFileSync(library, readFileSync(library).subarray(0, 4096));
    // generate checks the library against the sampler before loading it
    const generate = runCli(['generate', join(out, 'sampler.madnis'), '--events', '100', '--threads', '2', '--out', join(work, 'truncated-events')]);
    expect(generate.status).toBe(1);
    expect(generate.stderr).toMatch(/^madnis-ts: error: .*sampler\.madnis was trained on another integrand: .*P1_qq_ll\.so changed since/);
    // MG5's output loses a file the output step wrote: the step is redone
    rmSync(join(out, 'process', 'Cards', 'proc_card_mg5.dat'));
    const run = runCli(launchArgs(out));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/MG5 output redone: .*proc_card_mg5\.dat is missing/);
    const rerun = summaryOf(out);
    expect(rerun.reused).toMatchObject({ mg5_output: false, mg5_prepare: false });
    // a rebuilt library retrains only if its bytes changed; either way the same seed gives the same events
    expect(eventBlocks(rerun.events.file)).toBe(eventBlocks(uninterrupted.events.file));
  });

  it('kill -9 during training: launch --resume finishes it; σ agrees with the uninterrupted run and with MG5', () => {
    const out = join(work, 'resumed');
    const killed = runCli(launchArgs(out), { MADNIS_TEST_FAULT: 'training:SIGKILL' });
    expect(killed.status).toBeNull();
    expect(existsSync(join(out, 'checkpoint.madnis'))).toBe(true);
    expect(existsSync(join(out, 'sampler.madnis'))).toBe(false);
    const run = runCli(launchArgs(out, '--resume'));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/resuming the training from .*checkpoint\.madnis/);
    expect(run.stderr).toMatch(/was interrupted/);
    const resumed = summaryOf(out);
    expect(resumed.reused).toEqual({ mg5_output: true, mg5_prepare: true, build: true, sampler: false });
    expect(Math.abs(pull(resumed.sigma_pb, resumed.sigma_error_pb, uninterrupted.sigma_pb, uninterrupted.sigma_error_pb))).toBeLessThan(3);
    const [mg5Sigma, mg5Error] = readFileSync(join(out, 'process', 'SubProcesses', 'results.dat'), 'utf8').trim().split(/\s+/).slice(0, 2).map(Number);
    expect(Math.abs(pull(resumed.sigma_pb, resumed.sigma_error_pb, mg5Sigma!, mg5Error!))).toBeLessThan(3);
  });

  it('cards: run_tag honoured by the baseline; a relaunch without --run-card is MG5\'s default; a changed cut is refused by generate and report', () => {
    const out = join(work, 'cards');
    const runCard = join(work, 'run_card.dat');
    const defaultCard = readFileSync(join(reference, 'process', 'Cards', 'run_card_default.dat'), 'utf8');
    writeFileSync(runCard, defaultCard.replace(/^\s*\S+\s*=\s*run_tag\b/m, '  my_tag = run_tag').replace(/^\s*\S+(\s*=\s*mmll\b)/m, '  40.0$1'));
    const withTag = runCli(launchArgs(out, '--run-card', runCard).filter((a) => a !== '--no-baseline'));
    expect(withTag.status, withTag.stderr).toBe(0);
    const first = summaryOf(out) as Summary & { baseline: { run_tag: string }; comparison: { sigma: { pull: number } } };
    expect(first.inputs.cards.run_tag).toBe('my_tag');
    expect(first.baseline.run_tag).toBe('my_tag');
    expect(Math.abs(first.comparison.sigma.pull)).toBeLessThan(3);
    expect(readFileSync(join(out, 'process', 'Cards', 'run_card.dat'), 'utf8')).toMatch(/^\s*40\.0\s*=\s*mmll\b/m);
    copyFileSync(join(out, 'sampler.madnis'), join(work, 'mmll40.madnis'));

    // no --run-card: MG5's default card again (mmll 0), not the one the last launch copied in
    const plain = runCli(launchArgs(out));
    expect(plain.status, plain.stderr).toBe(0);
    const second = summaryOf(out);
    expect(second.inputs.cards.run_card.source).toMatch(/MG5's default/);
    expect(readFileSync(join(out, 'process', 'Cards', 'run_card.dat'), 'utf8')).toMatch(/^\s*0\.0\s*=\s*mmll\b/m);
    expect(second.inputs.cards_key).not.toBe(first.inputs.cards_key);
    expect(second.reused.sampler).toBe(false);
    // the mmll > 40 GeV sampler on the libraries now compiled without the cut: refused, one line
    const old = runCli(['generate', join(work, 'mmll40.madnis'), '--events', '100', '--threads', '2', '--out', join(work, 'old-events')]);
    expect(old.status).toBe(1);
    expect(old.stderr).toMatch(/^madnis-ts: error: .*mmll40\.madnis was trained on another integrand: .*changed since.*--accept-changed-process/);
    expect(old.stderr.trim().split('\n')).toHaveLength(1);
    // the baseline in OUT/baseline ran with mmll > 40: the report refuses to compare
    const report = runCli(['report', out]);
    expect(report.status).toBe(1);
    expect(report.stderr).toMatch(/baseline was made with other cards than the launch .*run madnis-ts baseline/);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });

  it('scale variations: the (μR, μF) = (2, 2) weights of the events give the σ MG5\'s own integrand has with scalefact = 2', () => {
    type Variation = { mu_r_factor: number; mu_f_factor: number; sigma_pb: number; error_pb: number };
    const variations = (uninterrupted.events as unknown as { scale_variations: { computed: boolean; variations: Variation[] } }).scale_variations;
    expect(variations.computed).toBe(true);
    expect(variations.variations).toHaveLength(9);
    const central = variations.variations.find((v) => v.mu_r_factor === 1 && v.mu_f_factor === 1)!;
    expect(central.sigma_pb).toBe(uninterrupted.sigma_pb);
    const doubled = variations.variations.find((v) => v.mu_r_factor === 2 && v.mu_f_factor === 2)!;
    // MG5's scalefact multiplies both scales of its dynamical scale choice (MG5 resets it to 1
    // when use_syst is on, as it is by default)
    const out = join(work, 'scalefact');
    const run = runCli(launchArgs(out, '--set', 'use_syst=False', '--set', 'scalefact=2'));
    expect(run.status, run.stderr).toBe(0);
    const direct = summaryOf(out);
    // the variation moves σ by many standard deviations; the reweighted σ lands on the direct one
    expect(Math.abs(pull(central.sigma_pb, central.error_pb, direct.sigma_pb, direct.sigma_error_pb))).toBeGreaterThan(5);
    const z = pull(doubled.sigma_pb, doubled.error_pb, direct.sigma_pb, direct.sigma_error_pb);
    console.log(`p p > e+ e-: σ(2,2) reweighted ${doubled.sigma_pb} ± ${doubled.error_pb} pb, MG5 integrand with scalefact 2: ${direct.sigma_pb} ± ${direct.sigma_error_pb} pb, pull ${z.toFixed(2)}`);
    expect(Math.abs(z)).toBeLessThan(4);
    // the central weight of every event is XWGTUP itself
    const text = gunzipSync(readFileSync(uninterrupted.events.file)).toString('utf8');
    const events = text.split('<event>').slice(1);
    expect(events).toHaveLength(500);
    for (const event of events.slice(0, 50)) {
      const xwgtup = event.trim().split('\n')[0]!.trim().split(/\s+/)[2]!;
      expect(/<wgt id='5'>\s*(\S+)\s*<\/wgt>/.exec(event)?.[1]).toBe(xwgtup);
    }
  });

  it('--set reaches the cards through MG5\'s card reader; a bad key is MG5\'s error in one line', () => {
    const out = join(work, 'cards');
    const set = runCli(launchArgs(out, '--set', 'mmll=60', '--set', 'ptl=5'));
    expect(set.status, set.stderr).toBe(0);
    const card = readFileSync(join(out, 'process', 'Cards', 'run_card.dat'), 'utf8');
    expect(card).toMatch(/^\s*60\.0\s*=\s*mmll\b/m);
    expect(card).toMatch(/^\s*5\.0\s*=\s*ptl\b/m);
    expect(summaryOf(out).inputs.cards.set).toEqual(['set mmll 60', 'set ptl 5']);

    const bad = runCli(launchArgs(out, '--set', 'mmmll=60'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^madnis-ts: error: MadGraph5 refused this while compiling the process .*invalid set command mmmll 60/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });

  it('a gridpack of a launched MG5 process generates after the launch folder is removed (issue 15)', () => {
    const out = join(work, 'killed');
    const pack = join(work, 'pp_ee.tar.gz');
    const made = runCli(['gridpack', out, '--output', pack]);
    expect(made.status, made.stderr).toBe(0);
    // the libraries' parameters as trained travel with it (p p > e+ e-: sde_strategy 2, so
    // the AMP2 prior; dir= is the gridpack's own folder)
    const unpacked = mkdtempSync(join(work, 'unpacked-'));
    expect(spawnSync('tar', ['-xzf', pack, '-C', unpacked]).status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(unpacked, 'madnis_gridpack', 'manifest.json'), 'utf8')) as { libraries: Array<{ params: string }> };
    expect(manifest.libraries.map((l) => l.params)).toEqual(['prior=amp2&subprocess=sum']);
    rmSync(out, { recursive: true, force: true });
    const run = runCli(['generate', pack, '--events', '300', '--seed', '5', '--threads', '2', '--out', join(work, 'from-gridpack')]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(work, 'from-gridpack', 'Events', 'run_01', 'summary.json'), 'utf8'));
    expect(summary.completed).toBe(true);
    expect(summary.events).toBe(300);
    // σ and w_max of the sampler's final integration: the launch's own
    expect(summary.sigma_pb).toBe(uninterrupted.sigma_pb);
    const text = gunzipSync(readFileSync(summary.lhe_file)).toString('utf8');
    expect(text.split('<event>')).toHaveLength(301);
    expect(text).toContain('<MGRunCard>');
  });
});
