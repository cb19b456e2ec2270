/**
 * Bad input at every boundary is an error that says what is wrong, never a silent default,
 * an abort or a hang: the native addon's options (misspelled, mistyped, missing, unknown
 * choices), the sampler file, the output folder and option values.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadAddon } from '../../src/native/addon.js';
import { nativeSamplerConfig } from '../../src/train/schedule.js';
import { builtin, runCli } from '../helpers.js';
import { smallConfig, SMALL_CONFIG_YAML } from '../train/small_config.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-boundary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** One line on stderr, exit 1: a user error. */
function expectUserError(run: { status: number | null; stderr: string }, pattern: RegExp): void {
  expect(run.status, run.stderr).toBe(1);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
}

describe('the native sampler takes complete, well-typed options only', () => {
  const process = builtin('builtin:ee_mumu');
  const { Sampler } = loadAddon();
  const good = nativeSamplerConfig(smallConfig(), 1);

  it('names a misspelled, a mistyped and a missing configuration field', () => {
    expect(() => new Sampler(process.native, { ...good, flow: { ...good.flow, hiden: 16 } } as never)).toThrow(/Sampler config\.flow has an unknown field 'hiden'/);
    expect(() => new Sampler(process.native, { ...good, flow: { ...good.flow, hidden: '16' } } as never)).toThrow(/Sampler config\.flow hidden must be a number/);
    const { adam: _adam, ...noAdam } = good;
    expect(() => new Sampler(process.native, noAdam as never)).toThrow(/Sampler config needs the field adam/);
    expect(() => new Sampler(process.native, { ...good, vegasBins: 6.5 })).toThrow(/vegasBins must be an integer/);
    expect(() => new Sampler(process.native, { ...good, flow: { ...good.flow, activation: 'sigmoid' } })).toThrow(/activation: unknown activation 'sigmoid'/);
  });

  it('an unknown loss is a JavaScript error, and the sampler goes on working', async () => {
    const sampler = new Sampler(process.native, good);
    const counts = [500, 500];
    expect(() => sampler.trainStep({ counts, seed: 1, step: 0, learningRate: 1e-3, loss: 'nope', bufferCapacity: 0 })).toThrow(/loss: unknown loss 'nope'/);
    // the known losses come from the native registry
    expect(() => sampler.bufferStep({ learningRate: 1e-3, loss: 'nope' })).toThrow(
      new TypeError("bufferStep options loss: unknown loss 'nope' (known: stratified_variance, variance, kl)"),
    );
    expect(() => sampler.integrate({ counts, seed: 1, iteration: 0, weigths: true } as never)).toThrow(/integrate options has an unknown field 'weigths'/);
    expect(() => sampler.generate({ counts, seed: 1, iteration: 0 } as never)).toThrow(/generate options needs the field wMax/);
    const stats = await sampler.integrate({ counts, seed: 1, iteration: 0 });
    expect(stats.channels).toHaveLength(2);
    expect(() => sampler.setState({ ...sampler.getState(), params: [1, 2] } as never)).toThrow(/params must be a Float64Array/);
  });
});

describe('command-line boundaries', () => {
  const out = join(work, 'ee');
  const config = join(work, 'small.yaml');
  beforeAll(() => {
    writeFileSync(config, SMALL_CONFIG_YAML);
    const run = runCli(['train', 'builtin:ee_mumu', '--config', config, '--out', out, '--threads', '2']);
    expect(run.status, run.stderr).toBe(0);
  });

  it('madnis.yaml: a misspelled key and an unknown loss name the key', () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'training: {stpes: 3}\n');
    expectUserError(runCli(['train', '--config', bad, '--out', join(work, 'bad')]), /stpes/);
    writeFileSync(bad, 'training: {loss: nope}\n');
    expectUserError(runCli(['train', '--config', bad, '--out', join(work, 'bad')]), /training\.loss/);
  });

  it('a truncated, a structurally wrong and a foreign sampler file are one-line user errors', () => {
    const text = readFileSync(join(out, 'sampler.madnis'), 'utf8');
    const file = JSON.parse(text);
    const write = (name: string, content: string) => {
      const path = join(work, name);
      writeFileSync(path, content);
      return path;
    };
    expectUserError(runCli(['generate', write('truncated.madnis', text.slice(0, text.length / 2)), '--events', '10']), /not valid JSON; truncated/);
    expectUserError(runCli(['generate', write('wrong.madnis', JSON.stringify({ ...file, state: { ...file.state, params: 5 } })), '--events', '10']), /not a valid madnis-ts sampler file: state\.params/);
    expectUserError(runCli(['generate', write('counts.madnis', JSON.stringify({ ...file, result: { ...file.result, counts: [1] } })), '--events', '10']), /one entry per channel/);
    // trained on e+ e- > mu+ mu- (4 particles, 2 random numbers); the file now names a 2-d test integrand
    const foreign = { ...file, process: { ...file.process, spec: 'builtin:camel?channels=2&d=2' } };
    // refused before the library is loaded (its hash differs), and with the hash check waived, on its structure
    expectUserError(runCli(['generate', write('foreign.madnis', JSON.stringify(foreign)), '--events', '10']), /was trained on another integrand: .* changed since/);
    expectUserError(runCli(['generate', join(work, 'foreign.madnis'), '--events', '10', '--accept-changed-process']), /was trained on another process than builtin:camel/);
  });

  it('an output folder that cannot be created is named, at once (no hang)', () => {
    const started = Date.now();
    expectUserError(runCli(['integrate', '--points', '1000', '--out', '/dev/null/x/y'], {}, 30_000), /cannot create the folder \/dev\/null\/x\/y: \/dev\/null is not a folder/);
    expectUserError(runCli(['integrate', '--points', '1000', '--out', '/proc/1/madnis/out'], {}, 30_000), /cannot create the folder \/proc\/1\/madnis\/out/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('option values are checked under their own name', () => {
    const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '-5']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--events must be an integer/);
  });
});
