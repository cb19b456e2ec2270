/**
 * The CLI as a user meets it: the quick-start command, summary.json, and a one-line
 * error with exit code 1 for every kind of bad input.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { packageRoot, testFixtureDir } from '../../src/native/paths.js';
import { haveSharedPdf, runCli, sharedPdfGrid } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An environment in which no MadGraph5 can be found. */
const noMg5 = { MG5_HOME: '', PATH: '/usr/bin:/bin' };

describe('madnis-ts integrate', () => {
  it('integrates builtin:ee_mumu with 10^6 points within 3σ of the closed form and writes summary.json', () => {
    const out = join(work, 'ee');
    const run = runCli(['integrate', 'builtin:ee_mumu', '--points', '1000000', '--seed', '4', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.points_evaluated).toBe(1_000_000);
    expect(summary.channels.map((c: { name: string }) => c.name)).toEqual(['gamma', 'Z']);
    expect(Math.abs(summary.reference.pull)).toBeLessThan(3);
    expect(summary.reference.pull).toBeCloseTo((summary.sigma_pb - summary.reference.sigma_pb) / summary.sigma_error_pb, 10);
    // What is printed is what is stored.
    expect(run.stdout).toContain(`pull z = ${summary.reference.pull.toFixed(2)}`);
    expect(run.stdout).toMatch(/σ = [\d.]+ ± [\d.]+ pb/);
    expect(run.stdout).toContain('passing cuts: 100.00 %');
  });

  it.skipIf(!haveSharedPdf)('prints per-channel contributions for dy_zprime', () => {
    const out = join(work, 'dy');
    const run = runCli(['integrate', 'builtin:dy_zprime', '-n', '300000', '--pdf', sharedPdfGrid, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    for (const name of ['gamma', 'Z', 'Zprime']) expect(run.stdout).toMatch(new RegExp(`\\d ${name} `));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const shares = summary.channels.reduce((a: number, c: { share: number }) => a + c.share, 0);
    expect(shares).toBeCloseTo(1, 12);
    expect(summary.fraction_passing_cuts).toBeGreaterThan(0.3);
    expect(summary.fraction_passing_cuts).toBeLessThan(1);
  });

  it('--version and --help work', () => {
    const version = runCli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = runCli(['integrate', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--points');
  });
});

describe('bad input: one-line error, exit code 1', () => {
  const cases: Array<{ what: string; args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }> = [
    { what: 'unknown built-in', args: ['integrate', 'builtin:nope'], message: /unknown built-in process 'nope' \(known: ee_mumu, dy_zprime, camel, ring\)/ },
    { what: 'unknown process path', args: ['integrate', './no/such/lib.so'], message: /unknown process '\.\/no\/such\/lib\.so'/ },
    { what: 'unknown parameter', args: ['integrate', 'builtin:ee_mumu?energy=10'], message: /unknown parameter 'energy' \(known: cuts, sqrts\)/ },
    { what: 'non-numeric value', args: ['integrate', 'builtin:ee_mumu?sqrts=abc'], message: /bad value 'abc' for 'sqrts': expected a number in/ },
    { what: 'value out of range', args: ['integrate', 'builtin:camel?d=40'], message: /bad value '40' for 'd': expected an integer in \[2, 16\]/ },
    { what: 'malformed key=value', args: ['integrate', 'builtin:ee_mumu?sqrts'], message: /expected key=value, got 'sqrts'/ },
    { what: 'bad choice', args: ['integrate', 'builtin:ee_mumu?cuts=loose'], message: /expected one of none \| mg5/ },
    { what: 'missing PDF grid (no --pdf, no MG5)', args: ['integrate', 'builtin:dy_zprime'], env: noMg5, message: /needs the PDF grid NNPDF23_lo_as_0130_qed_mem0\.grid: pass --pdf PATH/ },
    { what: '--pdf pointing nowhere', args: ['integrate', 'builtin:dy_zprime', '--pdf', '/no/such.grid'], message: /--pdf \/no\/such\.grid: no such file/ },
    { what: 'a library without the ABI', args: ['integrate', join(testFixtureDir, 'fixture_not_a_process.so')], message: /does not export 'madnis_process_get_api': it is not a madnis-ts process/ },
    { what: 'a library with another ABI major', args: ['integrate', join(testFixtureDir, 'fixture_wrong_abi_major.so')], message: /implements process ABI 2\.0, but this madnis-ts needs ABI 1\.x/ },
    { what: 'a file that is not a library', args: ['integrate', 'package.json'], message: /cannot load process library/ },
    { what: '--points 0', args: ['integrate', '--points', '0'], message: /--points must be an integer in \[1, /},
    { what: '--points fewer than channels', args: ['integrate', 'builtin:ee_mumu', '--points', '1'], message: /--points 1 is fewer than the 2 channels/ },
    { what: 'non-numeric seed', args: ['integrate', '--seed', 'abc'], message: /--seed must be an integer in \[0, \d+\], got 'abc'/ },
    { what: '--threads 0', args: ['integrate', '--threads', '0'], message: /--threads must be an integer in \[1, 256\]/ },
    { what: 'unknown command', args: ['frobnicate'], message: /unknown command 'frobnicate'/ },
  ];
  for (const { what, args, env, message } of cases) {
    it(what, () => {
      const run = runCli([...args, '--out', join(work, 'bad')], env);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(work, 'bad', 'summary.json'))).toBe(false);
    });
  }
});

describe('a process library whose instances share global state (as MadEvent does)', () => {
  it('gets a private copy per thread: 2 threads give σ = 1 exactly, as 1 thread does, and no copy is left behind', () => {
    // weight = 1 / (instances alive in the loaded copy): σ = 1/2 if two threads shared a copy
    const fixture = join(testFixtureDir, 'fixture_shared_state.so');
    for (const threads of ['1', '2']) {
      const out = join(work, `shared-${threads}`);
      const run = runCli(['integrate', fixture, '--points', '20000', '--threads', threads, '--out', out]);
      expect(run.status, run.stderr).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(summary.sigma_pb).toBe(1);
      expect(summary.sigma_error_pb).toBe(0);
    }
    expect(readdirSync(testFixtureDir).filter((f) => f.includes('.copy-'))).toEqual([]);
  });
});

describe('a process library that crashes', () => {
  it('dies with a message naming the library and channel, and leaves no summary', () => {
    const fixture = join(testFixtureDir, 'fixture_crash.so');
    const out = join(work, 'crash');
    // no core file: run it with core dumps off
    const run = spawnSync('bash', ['-c', 'ulimit -c 0; exec "$0" "$@"', process.execPath, join(packageRoot, 'bin', 'madnis-ts.js'), 'integrate', fixture, '--points', '1000', '--threads', '2', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(run.signal ?? run.status).toBe('SIGSEGV');
    expect(run.stderr).toContain(`process library '${fixture}' crashed (SIGSEGV) while evaluating its channel 0: the fault is in the process code.\n`);
    expect(run.stderr).not.toContain('mg5_fortran.log');
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });

  it("adds the caller's hint: for an MG5 subprocess library, where its logs are", () => {
    // a library with buildSubprocessLibrary's inputs stamp beside it, as in OUT/build/
    const build = join(work, 'build');
    mkdirSync(build, { recursive: true });
    const library = join(build, 'P1_crash.so');
    copyFileSync(join(testFixtureDir, 'fixture_crash.so'), library);
    writeFileSync(join(build, 'P1_crash.inputs'), 'stamp');
    const run = spawnSync('bash', ['-c', 'ulimit -c 0; exec "$0" "$@"', process.execPath, join(packageRoot, 'bin', 'madnis-ts.js'), 'integrate', library, '--points', '1000', '--threads', '1', '--out', join(work, 'crash-mg5')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.signal ?? run.status).toBe('SIGSEGV');
    expect(run.stderr).toContain(
      `process library '${library}' crashed (SIGSEGV) while evaluating its channel 0: the fault is in the process code. ` +
        'It is the MG5 library of the subprocess P1_crash: see mg5_fortran.log in its SubProcesses/P1_crash/madnis folder and the build log in OUT/logs.\n',
    );
  });
});
