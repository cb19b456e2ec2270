/**
 * The MG5 plugin (issue 17), on a private copy of MG5: `madnis-ts mg5-plugin install`, an
 * MG5 script `output madnis OUT` / `launch OUT` with two `set` lines, run non-interactively,
 * gives events whose σ agrees with MG5's own run on the same cards; reinstalling is
 * harmless, an unsupported MG5 is refused, and uninstalling leaves MG5 as it was.
 * Needs MadGraph5 and gfortran; skipped, with the reason, otherwise. It installs into the
 * MG5 it runs, so it runs only on the private copy (not on MG5_HOME).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { pull, runCli } from '../helpers.js';
import { haveGfortran, testMg5Home } from './mg5_home.js';

const onPrivateCopy = !process.env.MG5_HOME;
if (!onPrivateCopy) console.log('MG5 plugin tests skipped: they install into the MG5 they run, so only into the private copy of ../shared/mg5 (unset MG5_HOME)');
const mg5Home = onPrivateCopy ? testMg5Home() : undefined;

/** Every file and link under dir, with its content hash or link target. */
function snapshot(dir: string, root = dir, into: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) into[relative(root, path)] = `-> ${readlinkSync(path)}`;
    else if (stat.isDirectory()) snapshot(path, root, into);
    else into[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return into;
}

describe.skipIf(!mg5Home || !haveGfortran)('the MG5 plugin: output madnis and launch inside MG5 (needs MG5 and gfortran)', () => {
  const work = mkdtempSync(join(tmpdir(), 'madnis-plugin-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const mg5 = mg5Home!;
  const pluginDir = join(mg5, 'PLUGIN', 'madnis');

  it('install twice, uninstall: MG5 as it was; an unsupported MG5 is refused', () => {
    const before = snapshot(mg5);
    const first = runCli(['mg5-plugin', 'install', '--mg5', mg5]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/MG5 plugin installed: .*PLUGIN\/madnis \(MG5 3\.1\.1\)/);
    const again = runCli(['mg5-plugin', 'install', '--mg5', mg5]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/reinstalled/);
    expect(existsSync(join(pluginDir, '__init__.py'))).toBe(true);
    const removed = runCli(['mg5-plugin', 'uninstall', '--mg5', mg5]);
    expect(removed.status, removed.stderr).toBe(0);
    expect(snapshot(mg5)).toEqual(before);
    const none = runCli(['mg5-plugin', 'uninstall', '--mg5', mg5]);
    expect(none.status, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/not installed/);

    const old = join(work, 'mg5-old');
    for (const dir of ['bin', 'madgraph', 'PLUGIN']) mkdirSync(join(old, dir), { recursive: true });
    writeFileSync(join(old, 'bin', 'mg5_aMC'), '');
    writeFileSync(join(old, 'PLUGIN', '__init__.py'), '');
    writeFileSync(join(old, 'VERSION'), 'version = 2.9.3\ndate = 2021-03-17\n');
    const refused = runCli(['mg5-plugin', 'install', '--mg5', old]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^madnis-ts: error: MG5 2\.9\.3 at .* is not supported: the madnis plugin needs MG5 3\.1\.x \(tested with 3\.1\.1\)$/);
    expect(existsSync(join(old, 'PLUGIN', 'madnis'))).toBe(false);
  });

  it('an MG5 script: output madnis OUT, launch OUT with two set lines; σ agrees with MG5\'s own; uninstall leaves the PLUGIN folder as it was', () => {
    const pluginsBefore = readdirSync(join(mg5, 'PLUGIN')).sort();
    const installed = runCli(['mg5-plugin', 'install', '--mg5', mg5]);
    expect(installed.status, installed.stderr).toBe(0);

    const quick = join(work, 'quick.yaml');
    writeFileSync(quick, 'vegas: {iterations: 4, points_per_iteration: 10000}\ntraining: {steps: 30, batch_size: 1024}\nintegration: {points: 20000}\n');
    const out = join(work, 'OUT');
    const script = join(work, 'pp_ee.mg5');
    writeFileSync(script, [
      'import model sm',
      'define p = g u c d s u~ c~ d~ s~',
      'generate p p > e+ e-',
      `output madnis ${out}`,
      `launch ${out} --config=${quick} --threads=2`,
      'set nevents 1000',
      'set mmll 60',
      'done',
      '',
    ].join('\n'));
    const session = spawnSync(join(mg5, 'bin', 'mg5_aMC'), [script], { cwd: work, encoding: 'utf8', timeout: 900_000, env: { ...process.env, MG5_HOME: '' } });
    const log = `${session.stdout}\n${session.stderr}`;
    expect(session.status, log.slice(-4000)).toBe(0);
    expect(log).toMatch(/Output will be done with PLUGIN: madnis/);
    expect(log).toMatch(/running madnis-ts launch --process-dir/);

    // a MadEvent folder with madnis.yaml; the cards as MG5's questions left them
    expect(existsSync(join(out, 'bin', 'madevent'))).toBe(true);
    expect(readFileSync(join(out, 'madnis.yaml'), 'utf8')).toMatch(/^# madnis\.yaml/);
    const runCard = readFileSync(join(out, 'Cards', 'run_card.dat'), 'utf8');
    expect(runCard).toMatch(/^\s*1000\s*=\s*nevents\b/m);
    expect(runCard).toMatch(/^\s*60(\.0*)?\s*=\s*mmll\b/m);

    const summary = JSON.parse(readFileSync(join(out, 'madnis', 'summary.json'), 'utf8')) as {
      completed: boolean; sigma_pb: number; sigma_error_pb: number; process_dir: string;
      events: { file: string; count: number }; baseline: { sigma_pb: number; sigma_error_pb: number; events: number };
    };
    expect(summary.completed).toBe(true);
    expect(summary.process_dir).toBe(out);
    expect(summary.events.file).toBe(join(out, 'Events', 'run_01', 'unweighted_events.lhe.gz'));
    expect(summary.events.count).toBe(1000);
    expect(summary.baseline.events).toBe(1000);
    const p = pull(summary.sigma_pb, summary.sigma_error_pb, summary.baseline.sigma_pb, summary.baseline.sigma_error_pb);
    expect(Math.abs(p), `madnis-ts ${summary.sigma_pb} ± ${summary.sigma_error_pb} pb, MG5 ${summary.baseline.sigma_pb} ± ${summary.baseline.sigma_error_pb} pb`).toBeLessThan(3);
    // the events carry the cards of the questions
    const lhe = gunzipSync(readFileSync(summary.events.file)).toString('utf8');
    expect(lhe).toMatch(/^\s*60(\.0*)?\s*=\s*mmll\b/m);
    expect(existsSync(join(out, 'madnis', 'report.html'))).toBe(true);

    const removed = runCli(['mg5-plugin', 'uninstall', '--mg5', mg5]);
    expect(removed.status, removed.stderr).toBe(0);
    expect(readdirSync(join(mg5, 'PLUGIN')).sort()).toEqual(pluginsBefore);
  });
});
