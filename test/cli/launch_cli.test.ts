/**
 * `madnis-ts launch` failures that need no MadGraph5: a clear one-line error, exit code 1,
 * the MG5 log kept — with a fake `mg5_aMC` where real MG5 cannot be made to fail on cue.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-launch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const card = join(work, 'proc_card.dat');
writeFileSync(card, 'import model sm\ngenerate p p > e+ e-\n');

/** A stand-in MG5: prints `output` and exits 0, like MG5 does after a failed command. */
function fakeMg5(name: string, body: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'madgraph'), { recursive: true });
  const script = join(dir, 'bin', 'mg5_aMC');
  writeFileSync(script, `#!/usr/bin/env python3\nimport sys, os\n${body}\n`);
  chmodSync(script, 0o755);
  return dir;
}

describe('madnis-ts launch errors', () => {
  it('MG5 not found: says how to point to it', () => {
    const run = runCli(['launch', card, '--out', join(work, 'none')], { MG5_HOME: '', PATH: '/usr/bin:/bin' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('madnis-ts: error: MadGraph5_aMC@NLO not found: pass --mg5 DIR, set MG5_HOME to your MadGraph5_aMC@NLO folder, or put its bin/mg5_aMC on PATH');
  });

  it('a malformed card fails before MG5 starts, naming the line', () => {
    const bad = join(work, 'bad.dat');
    writeFileSync(bad, 'import model sm\ngenerate p p > e+ e-\nlaunch\n');
    const run = runCli(['launch', bad, '--mg5', fakeMg5('unused', 'sys.exit(3)')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bad.dat line 3: 'launch': madnis-ts launches the process itself/);
  });

  it('MG5 rejects the process (unknown particle): its message and the log path', () => {
    const mg5 = fakeMg5('badparticle', 'print("INFO: generating the process")\nprint(\'Command "generate p p > e+ ee-" interrupted with error:\')\nprint("InvalidCmd : No particle ee- in model")\nsys.exit(0)');
    const out = join(work, 'badparticle-out');
    const run = runCli(['launch', card, '--mg5', mg5, '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/MadGraph5 failed while generating the process: .*interrupted with error.*\(full log: .*mg5_output\.log\)/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    // stderr is a pipe: the MG5 step's spinner is plain progress lines
    expect(run.progress[0]).toBe('madnis-ts: progress: MG5');
    expect(readFileSync(join(out, 'logs', 'mg5_output.log'), 'utf8')).toContain('No particle ee- in model');
    expect(existsSync(join(out, 'sampler.madnis'))).toBe(false);
  });

  it('MG5 crashes (non-zero exit): the last lines and the log path', () => {
    const mg5 = fakeMg5('crash', 'print("Traceback (most recent call last):")\nprint("ImportError: no module named six")\nsys.exit(1)');
    const run = runCli(['launch', card, '--mg5', mg5, '--out', join(work, 'crash-out')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/MadGraph5 failed while generating the process: .*ImportError: no module named six.*full log/);
  });

  it('gfortran missing: says what to install', () => {
    // an MG5 that "generates" the folder; a PATH with python3 but no gfortran
    const mg5 = fakeMg5('ok', 'print("INFO: done")\nsys.exit(0)');
    const bin = join(work, 'bin-no-fortran');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['python3', 'node']) if (existsSync(`/usr/bin/${tool}`)) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
    const out = join(work, 'nofortran-out');
    mkdirSync(join(out, 'process'), { recursive: true });
    const run = runCli(['launch', card, '--mg5', mg5, '--out', out], { PATH: bin });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/gfortran not found: MadGraph5 processes are Fortran; install it/);
  });

  it('the library build fails: the build step, its last lines and the log; no library left behind', () => {
    // an MG5 that writes a subprocess folder nothing can be built from, and a stand-in gfortran
    const mg5 = fakeMg5('nobuild', [
      'import re',
      'text = open(sys.argv[1]).read()',
      'm = re.search(r"output madevent (\\S+)", text)',
      // the files launch checks the output step for, and the compile launch's results
      'if m:',
      '    d = m.group(1)',
      '    os.makedirs(os.path.join(d, "SubProcesses", "P1_qq_ll"), exist_ok=True)',
      '    os.makedirs(os.path.join(d, "Cards"), exist_ok=True)',
      '    for f in ["Cards/proc_card_mg5.dat", "Cards/run_card_default.dat", "Cards/param_card_default.dat", "SubProcesses/subproc.mg"]: open(os.path.join(d, f), "w").write("x\\n")',
      'l = re.search(r"^launch (\\S+)", text, re.M)',
      'if l: open(os.path.join(l.group(1), "SubProcesses", "results.dat"), "w").write("1 0.1\\n")',
      'print("INFO: done")',
      'sys.exit(0)',
    ].join('\n'));
    const bin = join(work, 'bin-fake-fortran');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'gfortran'), '#!/bin/sh\necho "GNU Fortran (fake)"\n');
    chmodSync(join(bin, 'gfortran'), 0o755);
    const out = join(work, 'nobuild-out');
    const run = runCli(['launch', card, '--mg5', mg5, '--out', out], { PATH: `${bin}:/usr/bin:/bin` });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^madnis-ts: error: building the process library for P1_qq_ll failed: .* \(log: .*build_P1_qq_ll\.log\)\n$/);
    expect(existsSync(join(out, 'logs', 'build_P1_qq_ll.log'))).toBe(true);
    expect(existsSync(join(out, 'build', 'P1_qq_ll.so'))).toBe(false);
    expect(existsSync(join(out, 'build', 'P1_qq_ll.so.tmp'))).toBe(false);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });

  it('report and baseline need a launch folder, and report its baseline: each says what to run', () => {
    const empty = join(work, 'not-launched');
    mkdirSync(empty, { recursive: true });
    for (const command of ['report', 'baseline']) {
      const run = runCli([command, empty]);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`madnis-ts: error: ${join(empty, 'summary.json')} not found: run madnis-ts launch with --out ${empty} first\n`);
    }
    // a launch summary, but no baseline yet
    writeFileSync(join(empty, 'summary.json'), JSON.stringify({ command: 'launch', inputs: { key: 'k', cards_key: 'c', libraries_sha256: 'l' }, training: { history: { vegas: [], flow: [], dropped: [] } }, channel_labels: [] }));
    const run = runCli(['report', empty]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`madnis-ts: error: ${join(empty, 'baseline', 'baseline.json')} not found: run madnis-ts baseline ${empty} first\n`);
  });
});
