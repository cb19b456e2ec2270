/**
 * `madnis-ts train` as a user runs it: sampler file and summary, reproducibility,
 * SIGKILL + --resume, and clear errors.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { packageRoot } from '../../src/native/paths.js';
import { readLhe } from '../../src/lhe/reader.js';
import { readSamplerFile } from '../../src/train/sampler_file.js';
import { runCli } from '../helpers.js';
import { SMALL_CONFIG_YAML } from '../train/small_config.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-train-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const smallConfig = join(work, 'small.yaml');
writeFileSync(smallConfig, SMALL_CONFIG_YAML);

describe('madnis-ts train', () => {
  it('writes a sampler file and summary.json with the printed numbers', () => {
    const out = join(work, 'ee');
    const run = runCli(['train', 'builtin:ee_mumu?sqrts=200', '--config', smallConfig, '--out', out, '--seed', '3', '--threads', '2']);
    expect(run.status, run.stderr).toBe(0);
    const file = readSamplerFile(join(out, 'sampler.madnis'));
    expect(file.process.name).toBe('ee_mumu');
    expect(file.state.stage).toBe('flow');
    expect(file.history.vegas).toHaveLength(4);
    expect(file.history.flow).toHaveLength(30);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.sigma_pb).toBe(file.result!.sigma);
    expect(summary.phases.map((p: { phase: string }) => p.phase)).toEqual(['VEGAS', 'flow']);
    expect(run.stdout).toContain(`σ = `);
    expect(run.stdout).toMatch(/│ VEGAS │/);
    expect(run.stdout).toMatch(/│ flow  │/);
    expect(existsSync(join(out, 'checkpoint.madnis'))).toBe(false);
    // each channel's own unweighting efficiency, on its own points
    for (const c of summary.final.channels) {
      expect(c.efficiency_max).toBeGreaterThan(0);
      expect(c.efficiency_max).toBeLessThanOrEqual(c.efficiency_truncated);
      expect(c.efficiency_truncated).toBeLessThanOrEqual(1);
    }
  });

  it("a one-channel process: the channel's efficiency is the combined one", () => {
    const out = join(work, 'camel1');
    const run = runCli(['train', 'builtin:camel', '--config', smallConfig, '--out', out, '--threads', '2']);
    expect(run.status, run.stderr).toBe(0);
    const { final } = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(final.channels).toHaveLength(1);
    expect(final.channels[0].efficiency_max).toBeCloseTo(final.efficiency_max, 12);
    expect(final.channels[0].efficiency_truncated).toBeCloseTo(final.efficiency_truncated, 12);
  });

  it('the same seed gives a bit-identical sampler file, for any thread count', () => {
    const a = join(work, 'repro-a'), b = join(work, 'repro-b'), c = join(work, 'repro-c'), d = join(work, 'repro-d');
    for (const [out, seed, threads] of [[a, '7', '2'], [b, '7', '2'], [c, '8', '2'], [d, '7', '1']] as const) {
      const run = runCli(['train', 'builtin:camel?channels=2', '--config', smallConfig, '--out', out, '--seed', seed, '--threads', threads]);
      expect(run.status, run.stderr).toBe(0);
    }
    const fileA = readFileSync(join(a, 'sampler.madnis'));
    expect(fileA.equals(readFileSync(join(b, 'sampler.madnis')))).toBe(true);
    // chunks of points are reduced in a fixed order, so even the thread count does not matter
    expect(fileA.equals(readFileSync(join(d, 'sampler.madnis')))).toBe(true);
    expect(fileA.equals(readFileSync(join(c, 'sampler.madnis')))).toBe(false);
    const summaryA = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    const summaryB = JSON.parse(readFileSync(join(b, 'summary.json'), 'utf8'));
    expect(summaryA.final).toEqual(summaryB.final);
  });

  it("a sampler file from before the channel net's trust region is read as unbounded: the same events", async () => {
    const out = join(work, 'unbounded');
    const config = join(work, 'unbounded.yaml');
    writeFileSync(config, SMALL_CONFIG_YAML.replace('channel_weights: {hidden: 16, layers: 2}', 'channel_weights: {hidden: 16, layers: 2, max_log_ratio: null}'));
    const run = runCli(['train', 'builtin:ee_mumu?sqrts=200', '--config', config, '--out', out, '--seed', '5', '--threads', '2']);
    expect(run.status, run.stderr).toBe(0);
    const file = JSON.parse(readFileSync(join(out, 'sampler.madnis'), 'utf8'));
    expect(file.config.channel_weights.max_log_ratio).toBeNull();
    delete file.config.channel_weights.max_log_ratio;
    const old = join(work, 'old-sampler.madnis');
    writeFileSync(old, JSON.stringify(file));
    expect(readSamplerFile(old).config.channel_weights.max_log_ratio).toBeNull();
    const events = async (sampler: string, dir: string) => {
      const g = runCli(['generate', sampler, '--events', '300', '--seed', '2', '--threads', '2', '--out', dir]);
      expect(g.status, g.stderr).toBe(0);
      const s = JSON.parse(readFileSync(join(dir, 'Events', 'run_01', 'summary.json'), 'utf8'));
      const records: unknown[] = [];
      await readLhe(join(dir, 'Events', 'run_01', 'unweighted_events.lhe.gz'), (e) => records.push(e));
      return { sigma: s.sigma_pb, w_max: s.w_max, points: s.generation_points, composition: s.composition, records };
    };
    const fromOld = await events(old, join(work, 'gen-old')), fromNew = await events(join(out, 'sampler.madnis'), join(work, 'gen-new'));
    expect(fromOld.records).toHaveLength(300);
    expect(fromOld.points).toBeGreaterThan(0);
    expect(fromOld).toEqual(fromNew);
    // the default bounds the same network: other numbers
    const bounded = join(work, 'bounded');
    expect(runCli(['train', 'builtin:ee_mumu?sqrts=200', '--config', smallConfig, '--out', bounded, '--seed', '5', '--threads', '2']).status).toBe(0);
    expect(JSON.parse(readFileSync(join(bounded, 'summary.json'), 'utf8')).final.sigma).not.toBe(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).final.sigma);
  });

  it('after SIGKILL, --resume finishes from the last checkpoint; no partial file is left under a final name', async () => {
    const out = join(work, 'killed');
    const config = join(work, 'long.yaml');
    writeFileSync(config, SMALL_CONFIG_YAML.replace('steps: 30', 'steps: 400').replace('checkpoint_every: 10', 'checkpoint_every: 5'));
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'madnis-ts.js'), 'train', 'builtin:camel', '--config', config, '--out', out, '--threads', '2'], { stdio: 'ignore' });
    const checkpoint = join(out, 'checkpoint.madnis');
    const deadline = Date.now() + 120_000;
    // wait for a checkpoint written during the flow phase
    while (Date.now() < deadline) {
      if (existsSync(checkpoint) && readSamplerFile(checkpoint).progress?.phase === 'flow' && (readSamplerFile(checkpoint).progress?.next ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(join(out, 'sampler.madnis'))).toBe(false);
    const checkpointed = readSamplerFile(checkpoint); // complete and valid despite the kill
    expect(checkpointed.progress!.next).toBeGreaterThan(0);

    const run = runCli(['train', 'builtin:camel', '--out', out, '--resume', '--threads', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('resumed from a checkpoint');
    const file = readSamplerFile(join(out, 'sampler.madnis'));
    expect(file.history.flow).toHaveLength(400);
    expect(file.history.flow[0]!.step).toBe(0);
    expect(Number.isFinite(file.result!.sigma)).toBe(true);
    expect(existsSync(checkpoint)).toBe(false);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  const errors: Array<{ what: string; args: string[]; message: RegExp }> = [
    { what: '--resume without a checkpoint', args: ['train', 'builtin:ring', '--resume', '--out', join(work, 'none')], message: /--resume: no checkpoint in .*none/ },
    { what: 'a config with an unknown key', args: ['train', 'builtin:ring', '--config', join(work, 'bad.yaml')], message: /bad.yaml: training: unknown key 'step'/ },
    { what: 'a missing config', args: ['train', 'builtin:ring', '--config', join(work, 'missing.yaml')], message: /cannot read config .*missing.yaml/ },
  ];
  writeFileSync(join(work, 'bad.yaml'), 'training:\n  step: 3\n');
  for (const { what, args, message } of errors) {
    it(`error: ${what}`, () => {
      const run = runCli(args);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

describe('an integrand that returns NaN on part of its domain', () => {
  const fixture = join(packageRoot, 'build', 'native', 'test_fixtures', 'fixture_nan.so');
  it('train counts and excludes the bad points, never fails, and says so', () => {
    const out = join(work, 'nan');
    const run = runCli(['train', fixture, '--config', smallConfig, '--out', out, '--threads', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/WARNING: [\d,]+ points had a non-finite weight/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.invalid_points).toBeGreaterThan(0);
    // f = 1 where it is finite: 95 % of the square
    expect(Math.abs(summary.sigma_pb - 0.95) / summary.sigma_error_pb).toBeLessThan(4);
  });

  it('integrate counts them as invalid and excludes them', () => {
    const out = join(work, 'nan-integrate');
    const run = runCli(['integrate', fixture, '--points', '200000', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    // 5 % of the points, within 5 standard deviations of the binomial count
    expect(Math.abs(summary.invalid_weights - 0.05 * 200000)).toBeLessThan(5 * Math.sqrt(200000 * 0.05 * 0.95));
    expect(Math.abs(summary.sigma_pb - 0.95) / summary.sigma_error_pb).toBeLessThan(4);
  });
});
