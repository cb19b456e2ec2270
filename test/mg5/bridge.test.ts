/**
 * The MG5 bridge proof of concept (native/mg5glue): MG5 generates and launches
 * e+ e- > mu+ mu- without cuts at √s = M_Z, the glue turns the subprocess folder into a
 * process library, and madnis-ts integrates MG5's own integrand: σ must agree with the
 * closed form. Needs MadGraph5 (MG5_HOME, else the project's ../shared/mg5) and gfortran;
 * skipped, with the reason, otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { packageRoot } from '../../src/native/paths.js';
import { pull, runCli } from '../helpers.js';
import { eeMumuSigma } from '../physics.js';
import { expectReport } from './expect_report.js';
import { readWithMg5 } from './mg5_lhe.js';
import { haveGfortran, testMg5Home } from './mg5_home.js';

const mg5Home = testMg5Home();
const haveMg5 = mg5Home !== undefined;
if (!haveGfortran) console.log('MG5 bridge tests skipped: gfortran is not installed (Debian: apt-get install gfortran)');

describe.skipIf(!haveMg5 || !haveGfortran)('MG5 bridge (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-mg5-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("integrating MG5's e+ e- > mu+ mu- integrand reproduces the closed-form σ", () => {
    const dir = join(work, 'ee_mumu');
    const mg5 = (script: string) => {
      const file = join(work, `script-${Date.now()}.mg5`);
      writeFileSync(file, script);
      const run = spawnSync('python3', [join(mg5Home!, 'bin', 'mg5_aMC'), file], { cwd: work, encoding: 'utf8', timeout: 600_000 });
      expect(run.status, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`).toBe(0);
    };
    mg5(`import model sm\ngenerate e+ e- > mu+ mu-\noutput ${dir} -f\n`);
    // one launch compiles the folder and writes symfact.dat and the run card includes
    mg5(
      [`launch ${dir} -n prepare`, 'done', 'set run_card nevents 1000', 'set run_card ebeam1 45.594', 'set run_card ebeam2 45.594',
        'set run_card ptl 0', 'set run_card etal -1', 'set run_card drll 0', 'set run_card mmll 0', 'done', ''].join('\n'),
    );
    const subprocess = readdirSync(join(dir, 'SubProcesses')).find((d) => d.startsWith('P'))!;
    const library = join(work, 'ee_mumu.so');
    const build = spawnSync('bash', [join(packageRoot, 'native', 'mg5glue', 'build.sh'), join(dir, 'SubProcesses', subprocess), library], { encoding: 'utf8', timeout: 600_000 });
    expect(build.status, build.stderr).toBe(0);

    // nothing about where it was built is compiled in: the MadEvent folder is a parameter
    const bare = runCli(['integrate', library, '--points', '1000', '--threads', '1', '--out', join(work, 'bare')]);
    expect(bare.status).toBe(1);
    expect(bare.stderr).toMatch(/mg5: dir= is required: the MadEvent SubProcesses\/P\* folder this library was built from/);
    expect(readFileSync(library).includes(Buffer.from(dir))).toBe(false);
    const out = join(work, 'integrate');
    const run = runCli(['integrate', `${library}?dir=${join(dir, 'SubProcesses', subprocess)}`, '--points', '1000000', '--threads', '1', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.channels).toHaveLength(2);
    expect(summary.sigma_error_pb / summary.sigma_pb).toBeLessThan(0.001);
    expect(Math.abs(pull(summary.sigma_pb, summary.sigma_error_pb, eeMumuSigma(91.188)))).toBeLessThan(3);
  });
});

describe.skipIf(!haveMg5 || !haveGfortran)('helicities of massive vectors and scalars (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-launch-zh-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('e+ e- > z h: the Z has helicities −1, 0, +1 and the Higgs 0, as MG5 writes them (0 was written as 9)', async () => {
    const card = join(work, 'ee_zh.dat');
    writeFileSync(card, 'import model sm\ngenerate e+ e- > z h\n');
    const config = join(work, 'quick.yaml');
    writeFileSync(config, 'vegas: {iterations: 3, points_per_iteration: 10000}\ntraining: {steps: 20, batch_size: 1024}\nintegration: {points: 20000}\n');
    const out = join(work, 'out');
    const run = runCli(['launch', card, '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '2000', '--threads', '2', '--no-baseline']);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const { readLhe } = await import('../../src/lhe/reader.js');
    const z = new Map<number, number>(), h = new Set<number>();
    await readLhe(summary.events.file, (event) => {
      for (const p of event.particles) {
        if (p.pdg === 23) z.set(p.spin, (z.get(p.spin) ?? 0) + 1);
        if (p.pdg === 25) h.add(p.spin);
      }
    });
    expect([...z.keys()].sort()).toEqual([-1, 0, 1]);
    // a longitudinal Z is a sizeable share of Z h at √s = 1 TeV
    expect(z.get(0)!).toBeGreaterThan(200);
    expect([...h]).toEqual([0]);
  });
});

describe.skipIf(!haveMg5 || !haveGfortran)('madnis-ts launch on MG5 (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-launch-mg5-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('p p > e+ e-: MG5 output, build, train, events; σ agrees with MG5 own survey; a second launch reuses the build and the sampler', async () => {
    const card = join(work, 'pp_ee.dat');
    writeFileSync(card, 'import model sm\ndefine p = g u c d s u~ c~ d~ s~\ngenerate p p > e+ e-\n');
    const config = join(work, 'quick.yaml');
    // 2 000 events: no flow could repay its training (launch says so), VEGAS samples them; the
    // other launches below train flows (training.stop_for_events: false)
    writeFileSync(config, 'vegas: {iterations: 5, points_per_iteration: 20000}\ntraining: {steps: 40, batch_size: 2048}\nintegration: {points: 50000}\n');
    const out = join(work, 'out');
    const run = runCli(['launch', card, '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '2000', '--threads', '1']);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(run.stderr).toMatch(/no flow training: VEGAS accepts .* VEGAS generates them/);
    expect(summary.training.phases.map((p: { phase: string }) => p.phase)).toEqual(['VEGAS']);
    // MG5's own cross section from the launch that compiled the folder (SubProcesses/results.dat)
    const [mg5Sigma, mg5Error] = readFileSync(join(out, 'process', 'SubProcesses', 'results.dat'), 'utf8').trim().split(/\s+/).slice(0, 2).map(Number);
    expect(Math.abs(pull(summary.sigma_pb, summary.sigma_error_pb, mg5Sigma!, mg5Error!))).toBeLessThan(3);
    expect(summary.events.count).toBe(2000);
    const { readLhe } = await import('../../src/lhe/reader.js');
    const quarks = [1, 2, 3, 4, -1, -2, -3, -4];
    const read = await readLhe(summary.events.file, (event) => {
      const [a, b] = event.particles;
      const rest = event.particles.filter((p) => p.status === 1);
      expect(rest.map((p) => p.pdg).sort()).toEqual([-11, 11]);
      // a Z resonance is written (status 2) only near its mass, as MadEvent does, with the pair as daughters
      for (const z of event.particles.filter((p) => p.status === 2)) {
        expect(z.pdg).toBe(23);
        expect(Math.abs(z.m - 91.188)).toBeLessThan(15 * 2.4414);
        expect(rest.every((p) => p.mothers[0] === 3)).toBe(true);
      }
      // q q~ annihilation: the quark carries the colour, the antiquark the same tag as anticolour
      expect(quarks).toContain(a!.pdg);
      expect(b!.pdg).toBe(-a!.pdg);
      const quark = a!.pdg > 0 ? a! : b!, antiquark = a!.pdg > 0 ? b! : a!;
      expect(quark.colour[0]).toBeGreaterThan(0);
      expect(quark.colour[1]).toBe(0);
      expect(antiquark.colour).toEqual([0, quark.colour[0]]);
    });
    expect(read.events).toBe(2000);
    expect(read.init.beams.map((b) => b.pdg)).toEqual([2212, 2212]);
    // MG5's own reader: momentum conservation, masses and colour structure of every event
    const mg5Read = readWithMg5(mg5Home!, summary.events.file);
    expect(mg5Read.events).toBe(2000);
    // <init> carries the σ of the generation presample
    expect(Math.abs(mg5Read.sigma_pb / summary.events.presample_sigma_pb - 1)).toBeLessThan(1e-6);

    // the comparison with MG5's own event generation (on a copy of the folder)
    expectReport(out, summary, mg5Read);

    const again = runCli(['launch', card, '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '2000', '--threads', '1', '--no-baseline']);
    expect(again.status, again.stderr).toBe(0);
    const second = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(second.reused).toEqual({ mg5_output: true, mg5_prepare: true, build: true, sampler: true });

    // MG5's weight is a function of (channel, x): 1 and 2 threads (a private library copy
    // each) give the same numbers bit for bit, and so does a repeat
    const spec = second.process_spec;
    // sde_strategy 2 (MG5's choice here): the libraries build the AMP2 prior
    expect(spec).toMatch(/P1_qq_ll\.so\?dir=.*\/SubProcesses\/P1_qq_ll&prior=amp2&subprocess=sum$/);
    const sums = ['1', '2', '2'].map((threads, k) => {
      const dir = join(work, `determinism-${k}`);
      const r = runCli(['integrate', spec, '--points', '100000', '--threads', threads, '--seed', '7', '--out', dir]);
      expect(r.status, r.stderr).toBe(0);
      const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      return [s.sigma_pb, s.sigma_error_pb, ...s.channels.map((c: { sigma_pb: number }) => c.sigma_pb)];
    });
    expect(sums[1]).toEqual(sums[0]);
    expect(sums[2]).toEqual(sums[0]);
  });
});

describe.skipIf(!haveMg5 || !haveGfortran)('madnis-ts launch p p > t t~ (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-launch-tt-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('report.html against MG5: σ, the three efficiencies, and distributions that agree (symmetric copy channels included)', () => {
    const config = join(work, 'tt.yaml');
    writeFileSync(config, 'vegas: {iterations: 6, points_per_iteration: 50000}\ntraining: {steps: 100, batch_size: 4096, stop_for_events: false}\nintegration: {points: 100000}\n');
    const out = join(work, 'out');
    const run = runCli(['launch', join(packageRoot, 'madgraph-cards', 'pp_tt.dat'), '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '10000', '--threads', '2'], {}, 1_800_000);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('madnis-ts vs MG5');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.libraries).toHaveLength(2);
    expectReport(out, summary);
    expect(summary.comparison.distributions.map((d: { id: string }) => d.id)).toContain('eta_top1');
  }, 1_800_000);
});

describe.skipIf(!haveMg5 || !haveGfortran)('madnis-ts launch of a decay chain (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-launch-ttdecay-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('p p > t t~, (t > b e+ ve), (t~ > b~ e- ve~): t, t~ and both W in the record, colour-connected, on their daughters\' mass', async () => {
    const config = join(work, 'tt.yaml');
    writeFileSync(config, 'vegas: {iterations: 5, points_per_iteration: 50000}\ntraining: {steps: 60, batch_size: 4096, stop_for_events: false}\nintegration: {points: 100000}\n');
    const out = join(work, 'out');
    const run = runCli(['launch', join(packageRoot, 'madgraph-cards', 'pp_tt_dilepton.dat'), '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '5000', '--threads', '2'], {}, 1_800_000);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.libraries).toHaveLength(2);
    const mg5Read = readWithMg5(mg5Home!, summary.events.file);
    expect(mg5Read.events).toBe(5000);
    expectReport(out, summary, mg5Read);
    const { readLhe } = await import('../../src/lhe/reader.js');
    await readLhe(summary.events.file, (event) => {
      const ps = event.particles;
      const top = ps.find((p) => p.pdg === 6 && p.status === 2), antitop = ps.find((p) => p.pdg === -6 && p.status === 2);
      expect(top && antitop).toBeTruthy();
      const position = (p: unknown) => ps.indexOf(p as (typeof ps)[number]) + 1;
      const b = ps.find((p) => p.pdg === 5)!, bbar = ps.find((p) => p.pdg === -5)!;
      // t > b W+: the b is the top's daughter and carries its colour; likewise the t~'s anticolour
      expect(b.mothers).toEqual([position(top), position(top)]);
      expect(bbar.mothers).toEqual([position(antitop), position(antitop)]);
      expect(top!.colour).toEqual([b.colour[0], 0]);
      expect(antitop!.colour).toEqual([0, bbar.colour[1]]);
      expect(top!.mothers).toEqual([1, 2]);
      expect(top!.spin).toBe(0);
    });
  }, 1_800_000);
});

describe.skipIf(!haveMg5 || !haveGfortran)('madnis-ts launch p p > W+ j j on 2 cores (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-launch-wjj-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('MG5 output, 4 subprocess libraries, training, 10 000 events that MG5 reads; a second launch reuses the build and the sampler', async () => {
    const card = join(packageRoot, 'madgraph-cards', 'pp_wpjj.dat');
    const config = join(work, 'wjj.yaml');
    // a short training: this test is about the pipeline, bench/compare about the efficiency
    writeFileSync(config, 'vegas: {iterations: 6, points_per_iteration: 100000}\ntraining: {steps: 60, batch_size: 4096, stop_for_events: false}\nintegration: {points: 100000}\n');
    const out = join(work, 'out');
    const run = runCli(['launch', card, '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '10000', '--threads', '2'], {}, 1_800_000);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.libraries).toHaveLength(4);
    expect(summary.threads).toBe(2);
    expect(summary.events.count).toBe(10000);
    // MG5's survey σ of the launch that compiled the folder: within 3 combined σ
    const [mg5Sigma, mg5Error] = readFileSync(join(out, 'process', 'SubProcesses', 'results.dat'), 'utf8').trim().split(/\s+/).slice(0, 2).map(Number);
    expect(Math.abs(pull(summary.sigma_pb, summary.sigma_error_pb, mg5Sigma!, mg5Error!))).toBeLessThan(3);
    const mg5Read = readWithMg5(mg5Home!, summary.events.file);
    expect(mg5Read.events).toBe(10000);
    const { readLhe } = await import('../../src/lhe/reader.js');
    const leptons = new Set([-11, -13]), neutrinos = new Set([12, 14]), partons = new Set([1, 2, 3, 4, -1, -2, -3, -4, 21]);
    await readLhe(summary.events.file, (event) => {
      // incoming, then the W+ (status 2, within bwcutoff = 15 widths of its mass), then the outgoing
      const ids = event.particles.filter((p) => p.status !== 2).map((p) => p.pdg);
      const w = event.particles.filter((p) => p.status === 2);
      expect(w.map((p) => p.pdg)).toEqual([24]);
      expect(event.particles[2]!.status).toBe(2);
      expect(Math.abs(w[0]!.m - 80.419)).toBeLessThan(15 * 2.0476);
      const daughters = event.particles.filter((p) => p.mothers[0] === 3 && p.status === 1).map((p) => p.pdg).sort((x, y) => x - y);
      expect(daughters.length).toBe(2);
      expect(leptons.has(daughters[0]!) && neutrinos.has(daughters[1]!)).toBe(true);
      expect(ids.slice(0, 2).every((id) => partons.has(id))).toBe(true);
      expect(ids.filter((id) => leptons.has(id))).toHaveLength(1);
      expect(ids.filter((id) => neutrinos.has(id))).toHaveLength(1);
      expect(ids.slice(2).filter((id) => partons.has(id))).toHaveLength(2);
      // charge: the initial partons carry the W+'s +1
      const charge = (id: number) => (id === 21 ? 0 : Math.sign(id) * (Math.abs(id) % 2 === 0 ? 2 / 3 : -1 / 3));
      const initial = charge(ids[0]!) + charge(ids[1]!);
      const final = ids.slice(2).reduce((a, id) => a + (leptons.has(id) ? 1 : neutrinos.has(id) ? 0 : charge(id)), 0);
      expect(Math.abs(initial - final)).toBeLessThan(1e-12);
    });

    expectReport(out, summary, mg5Read);

    const again = runCli(['launch', card, '--mg5', mg5Home!, '--out', out, '--config', config, '--events', '10000', '--threads', '2', '--no-baseline'], {}, 1_800_000);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).reused).toEqual({ mg5_output: true, mg5_prepare: true, build: true, sampler: true });
  }, 3_600_000);
});
