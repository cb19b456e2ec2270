/**
 * One integrand for every channel on MG5 processes (issue 14): MadEvent clusters its default
 * dynamical scale along the channel's own diagram, the libraries along the config with
 * MadEvent's largest prior at the event (native/mg5glue/madnis_scale.f), and MG5's baseline run
 * gets the same Fortran (mg5/clustering.ts).
 * - p p > e+ e- j (two subprocess folders, four channels each, sde_strategy 2: the prior is
 *   GET_CHANNEL_CUT) and, in the launch below, p p > t t~ (sde_strategy 1: AMP2 from a first
 *   matrix-element evaluation): the same momenta evaluated as
 *   any other channel give the same weight, point by point; with MadEvent's own clustering
 *   (clustering=channel) most points of g q → e+ e- q do not: the check can fail. The same
 *   holds with the AMP2 prior (prior=amp2).
 * - p p > t t~ (four channels): launch trains with learned channel weights and channel
 *   dropping (asked for in madnis.yaml: launch keeps MadEvent's by default), its σ agrees with MG5's run on the same
 *   definition, and both say which definition they used.
 * Needs MadGraph5 and gfortran; skipped, with the reason, otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { SCALE_DEFINITION } from '../../src/mg5/clustering.js';
import { packageRoot } from '../../src/native/paths.js';
import { runCli } from '../helpers.js';
import { haveGfortran, testMg5Home } from './mg5_home.js';

const mg5Home = testMg5Home();

interface Totals {
  pairs: number;
  compared: number;
  differing: number;
}

describe.skipIf(!mg5Home || !haveGfortran)('a channel-independent MG5 integrand (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-clustering-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const mg5 = (script: string) => {
    const file = join(work, `script-${Date.now()}.mg5`);
    writeFileSync(file, script);
    const run = spawnSync('python3', [join(mg5Home!, 'bin', 'mg5_aMC'), file], { cwd: work, encoding: 'utf8', timeout: 900_000 });
    expect(run.status, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`).toBe(0);
  };

  const checker = join(work, 'check_channel_independence');
  /** The checker's totals for one library: pairs of channels, points compared, points whose weights differ. */
  const independence = (library: string, params: string): Totals => {
    const run = spawnSync(checker, [library, params, '300', '7'], { encoding: 'utf8', timeout: 300_000 });
    expect(run.status, `${run.stdout.slice(-2000)}\n${run.stderr}`).toBe(0);
    // the library reports the prior and subprocess handling it was asked for
    const json = JSON.parse(/^channels \d+ dim \d+ json (.*)$/m.exec(run.stdout)![1]!) as Record<string, unknown>;
    expect(json.prior).toBe(params.includes('prior=amp2') ? 'amp2' : 'madevent');
    expect(json.subprocess).toBe(params.includes('subprocess=sample') ? 'sample' : 'sum');
    const total = /^total (\d+) (\d+) (\d+) /m.exec(run.stdout);
    expect(total, run.stdout).not.toBeNull();
    return { pairs: Number(total![1]), compared: Number(total![2]), differing: Number(total![3]) };
  };

  it('the same momenta evaluated as another channel give the same weight; with MadEvent\'s own clustering they do not', () => {
    const cc = spawnSync('gcc', ['-O2', '-I', join(packageRoot, 'native', 'include'), join(packageRoot, 'native', 'mg5glue', 'check_channel_independence.c'), '-o', checker, '-ldl', '-lm'], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const dir = join(work, 'pp_eej');
    mg5(`import model sm\ndefine p = g u c d s u~ c~ d~ s~\ndefine j = g u c d s u~ c~ d~ s~\ngenerate p p > e+ e- j\noutput ${dir} -f\n`);
    // one launch compiles the folders and writes symfact.dat (MG5's default cards: dynamical scale -1)
    mg5([`launch ${dir} -n prepare`, 'done', 'set run_card nevents 500', 'done', ''].join('\n'));
    const folders = readdirSync(join(dir, 'SubProcesses')).filter((d) => d.startsWith('P')).sort();
    expect(folders).toEqual(['P1_gq_llq', 'P1_qq_llg']);
    // a library is given its MadEvent folder (dir=): nothing is compiled in
    const folderOf = (library: string) => join(dir, 'SubProcesses', library.slice(library.lastIndexOf('/') + 1).replace(/\.so$/, ''));
    const libraries = folders.map((folder) => {
      const library = join(work, `${folder}.so`);
      const build = spawnSync('bash', [join(packageRoot, 'native', 'mg5glue', 'build.sh'), join(dir, 'SubProcesses', folder), library], { encoding: 'utf8', timeout: 600_000 });
      expect(build.status, build.stderr).toBe(0);
      return library;
    });
    for (const library of libraries) {
      const t = independence(library, `dir=${folderOf(library)}`);
      expect(t.pairs).toBe(12);
      expect(t.compared).toBeGreaterThan(300);
      expect(t.differing, library).toBe(0);
    }
    // the AMP2 prior on this sde_strategy 2 card: still one f for every channel
    for (const library of libraries) {
      const t = independence(library, `dir=${folderOf(library)}&prior=amp2&subprocess=sum`);
      expect(t.compared).toBeGreaterThan(300);
      expect(t.differing, library).toBe(0);
    }
    // MadEvent's clustering along the channel's diagram: in g q → e+ e- q the weight of
    // every point depends on which channel (photon or Z, s- or t-channel quark) clusters it
    const own = independence(libraries[0]!, `dir=${folderOf(libraries[0]!)}&clustering=channel`);
    expect(own.differing).toBeGreaterThan(own.compared / 2);
  });

  it("launch trains with learned channel weights, and its σ agrees with MG5's on the same scale definition", () => {
    const card = join(work, 'pp_tt.dat');
    writeFileSync(card, 'import model sm\ndefine p = g u c d s u~ c~ d~ s~\ngenerate p p > t t~\n');
    const config = join(work, 'quick.yaml');
    // learned weights and dropping: launch's defaults with sde_strategy 1, MG5's choice for t t~
    writeFileSync(config, 'vegas: {iterations: 6, points_per_iteration: 40000}\ntraining: {steps: 60, batch_size: 2048, stop_for_events: false}\nintegration: {points: 200000}\n');
    const out = join(work, 'launch');
    const run = runCli(['launch', card, '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '5000', '--threads', '2'], {}, 1_800_000);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/one integrand for all channels; the channel weights are learned from MadEvent's prior \(sde_strategy 1\), within a factor e\^±2 of it/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.config.channel_weights.enabled).toBe(true);
    expect(summary.config.training.drop_threshold).toBeGreaterThan(0);
    expect(summary.scale_definition).toBe(SCALE_DEFINITION);
    expect(summary.baseline.scale_definition).toBe(SCALE_DEFINITION);
    expect(summary.comparison.sigma.scale_definition).toBe(SCALE_DEFINITION);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('scale (both sides)');
    // the baseline's copy clusters through madnis_setclscales; the launched folder stays MG5's own
    expect(readFileSync(join(out, 'baseline', 'process', 'SubProcesses', 'cuts.f'), 'utf8')).toContain('madnis_setclscales(p,.false.)');
    expect(readFileSync(join(out, 'process', 'SubProcesses', 'cuts.f'), 'utf8')).not.toContain('madnis_setclscales');
    expect(readFileSync(join(out, 'baseline', 'process', 'SubProcesses', 'P1_gg_ttx', 'auto_dsig.f'), 'utf8')).toContain('CALL MADNIS_PICK_CONFIG(IPROC,P1)');
    for (const part of (summary.process_spec as string).split(',')) {
      const [library, params] = part.split('?');
      expect(independence(library!, params!).differing, library).toBe(0);
    }
    const c = summary.comparison.sigma;
    console.log(`p p > t t~: madnis-ts ${c.madnis_pb} ± ${c.madnis_error_pb} pb, MG5 ${c.mg5_pb} ± ${c.mg5_error_pb} pb, pull ${c.pull}`);
    expect(c.madnis_error_pb / c.madnis_pb).toBeLessThan(0.005);
    expect(Math.abs(c.pull)).toBeLessThan(3);
  });
});
