/**
 * `madnis-ts generate`: events read back are complete and physical, their distributions
 * follow the weighted sample, the acceptance is the efficiency train reported, and an
 * interrupted run never leaves a file under the final name.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { reopenSampler } from '../../src/generate/reopen.js';
import type { LheEvent } from '../../src/lhe/types.js';
import { lheInfo } from '../../src/lhe/info.js';
import { readLhe } from '../../src/lhe/reader.js';
import { packageRoot } from '../../src/native/paths.js';
import { readSamplerFile } from '../../src/train/sampler_file.js';
import { haveSharedPdf, pull, runCli, sharedPdfGrid } from '../helpers.js';
import { chi2PValue, compareUnweightedToWeighted, fill, histogram } from '../stats.js';
import { SMALL_CONFIG_YAML } from '../train/small_config.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-generate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const config = join(work, 'small.yaml');
writeFileSync(config, SMALL_CONFIG_YAML);

function train(spec: string, out: string, extra: string[] = []): void {
  const run = runCli(['train', spec, '--config', config, '--out', out, '--threads', '2', ...extra]);
  expect(run.status, run.stderr).toBe(0);
}

function checkEvent(event: LheEvent, masses: number[]): void {
  const incoming = event.particles.filter((p) => p.status === -1), outgoing = event.particles.filter((p) => p.status === 1);
  for (const key of ['e', 'px', 'py', 'pz'] as const) {
    const balance = incoming.reduce((a, p) => a + p[key], 0) - outgoing.reduce((a, p) => a + p[key], 0);
    const scale = incoming.reduce((a, p) => a + p.e, 0);
    expect(Math.abs(balance) / scale).toBeLessThan(1e-9);
  }
  event.particles.forEach((p, j) => {
    expect(p.m).toBe(masses[j]);
    // written with 11 significant digits: E² − p² = m² to that precision
    expect(Math.abs(p.e ** 2 - p.px ** 2 - p.py ** 2 - p.pz ** 2 - p.m ** 2)).toBeLessThan(1e-9 * p.e ** 2);
  });
  // colour lines: every colour tag has an anticolour partner on the other side
  const tags = new Map<number, number>();
  for (const p of event.particles) {
    const [c, a] = p.colour;
    const sign = p.status === -1 ? -1 : 1;
    if (c) tags.set(c, (tags.get(c) ?? 0) + sign);
    if (a) tags.set(a, (tags.get(a) ?? 0) - sign);
  }
  for (const balance of tags.values()) expect(balance).toBe(0);
}

describe('generate → LHE → read back', () => {
  const out = join(work, 'ee');
  beforeAll(() => train('builtin:ee_mumu?sqrts=200&cuts=mg5', out));

  it('writes N events that conserve momentum, are on shell, carry σ from <init>', async () => {
    const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '3000', '--seed', '5', '--threads', '2', '--presample', '100000']);
    expect(run.status, run.stderr).toBe(0);
    const lhe = join(out, 'Events', 'run_01', 'unweighted_events.lhe.gz');
    expect(existsSync(lhe)).toBe(true);
    const file = readSamplerFile(join(out, 'sampler.madnis'));
    const events: LheEvent[] = [];
    const read = await readLhe(lhe, (e) => events.push(e));
    expect(read.events).toBe(3000);
    expect(read.init.weighting).toBe(-4);
    expect(read.init.beams.map((b) => b.pdg)).toEqual([-11, 11]);
    const init = read.init.processes[0]!;
    // σ in <init> (an independent presample) agrees with the sampler's own σ
    expect(Math.abs(pull(init.xsec, init.xerr, file.result!.sigma, file.result!.error))).toBeLessThan(3);
    const summary = JSON.parse(readFileSync(join(out, 'Events', 'run_01', 'summary.json'), 'utf8'));
    // every event carries at least the unit weight σ·N/Σf (overweight ones more)
    const unit = summary.normalisation.unit_weight_pb;
    expect(unit).toBeLessThanOrEqual(init.xsec);
    for (const e of events) {
      checkEvent(e, [0, 0, 0, 0]);
      expect(e.particles.map((p) => p.pdg)).toEqual([-11, 11, -13, 13]);
      expect(e.weight).toBeGreaterThanOrEqual(unit * (1 - 1e-10));
      // helicities chosen per event: annihilating pairs have opposite helicities
      expect(e.particles[0]!.spin).toBe(-e.particles[1]!.spin);
      expect(e.particles[2]!.spin).toBe(-e.particles[3]!.spin);
    }
    expect(summary.events).toBe(3000);
    // a second run goes to run_02
    const again = runCli(['generate', join(out, 'sampler.madnis'), '--events', '10', '--threads', '2']);
    expect(again.status, again.stderr).toBe(0);
    expect(existsSync(join(out, 'Events', 'run_02', 'unweighted_events.lhe.gz'))).toBe(true);
  });

  it('the measured acceptance equals the efficiency train reported, within the statistical error', () => {
    const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '20000', '--seed', '9', '--threads', '2', '--training-max-weight']);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'Events', 'run_03', 'summary.json'), 'utf8'));
    const trained = readSamplerFile(join(out, 'sampler.madnis')).result!;
    const a = trained.acceptance_truncated;
    // both are means of min(W, w_max)/w_max ∈ [0,1]: variance ≤ a(1−a) per point
    const error = Math.sqrt((a * (1 - a)) / trained.points + (a * (1 - a)) / summary.generation_points);
    expect(Math.abs(summary.measured_acceptance - a) / error).toBeLessThan(3);
  });
  it("generate's presample and launch's training w_max give the same acceptance for the same sampler and settings", () => {
    // launch unweights with the training's w_max (`generate --training-max-weight` is that
    // path on the sampler file); plain `generate` fixes w_max on a presample. Same settings:
    // the same overweight share, by default the sampler's own (integration.overweight_share).
    const runs = [['--training-max-weight'], []].map((extra, i) => {
      const dir = join(work, `same-acceptance-${i}`);
      const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '20000', '--seed', String(11 + i), '--threads', '2', '--out', dir, ...extra]);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(readFileSync(join(dir, 'Events', 'run_01', 'summary.json'), 'utf8'));
    });
    const [launchPath, presample] = runs;
    const trained = readSamplerFile(join(out, 'sampler.madnis'));
    expect(launchPath.overweight_share).toBe(trained.config.integration.overweight_share);
    expect(presample.overweight_share).toBe(launchPath.overweight_share);
    // each acceptance is a mean of min(W, w_max)/w_max ∈ [0,1] (variance ≤ a(1−a) per point)
    // at a w_max estimated on a sample of its own (the training's final integration, the
    // presample): both the generation points and the w_max sample count in the error
    const a = launchPath.measured_acceptance;
    const variance = (n: number) => (a * (1 - a)) / n;
    const error = Math.sqrt(variance(launchPath.generation_points) + variance(presample.generation_points) + variance(trained.result!.points) + variance(200_000));
    expect(Math.abs(launchPath.measured_acceptance - presample.measured_acceptance) / error).toBeLessThan(3);
  });

  it('refuses another overweight share with the training w_max, in one line', () => {
    const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '10', '--threads', '2', '--out', join(work, 'share'), '--training-max-weight', '--overweight-share', '0.001']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('drop --training-max-weight');
  });
});

describe.skipIf(!haveSharedPdf)('dy_zprime: unweighted distributions follow the weighted sample', () => {
  it('m_ee, rapidity and cos θ* histograms agree (χ² p > 0.001)', async () => {
    const out = join(work, 'dy');
    train('builtin:dy_zprime', out, ['--pdf', sharedPdfGrid]);
    const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '20000', '--seed', '3', '--threads', '2', '--pdf', sharedPdfGrid]);
    expect(run.status, run.stderr).toBe(0);
    const observables = {
      mass: { h: histogram(60, 120, 30), w: histogram(60, 120, 30) },
      rapidity: { h: histogram(-2.5, 2.5, 25), w: histogram(-2.5, 2.5, 25) },
      cosTheta: { h: histogram(-1, 1, 20), w: histogram(-1, 1, 20) },
    };
    const measure = (p: number[][]) => {
      const [ep, em] = [p[2]!, p[3]!];
      const e = ep[0]! + em[0]!, pz = ep[3]! + em[3]!;
      const m = Math.sqrt(Math.max(0, e * e - (ep[1]! + em[1]!) ** 2 - (ep[2]! + em[2]!) ** 2 - pz * pz));
      const y = 0.5 * Math.log((e + pz) / (e - pz));
      // Collins–Soper-like: angle of e- in the pair frame approximated by the lab rapidity gap
      const yEm = 0.5 * Math.log((em[0]! + em[3]!) / (em[0]! - em[3]!)), yEp = 0.5 * Math.log((ep[0]! + ep[3]!) / (ep[0]! - ep[3]!));
      return { mass: m, rapidity: y, cosTheta: Math.tanh((yEm - yEp) / 2) };
    };
    await readLhe(join(out, 'Events', 'run_01', 'unweighted_events.lhe.gz'), (event) => {
      const values = measure(event.particles.map((p) => [p.e, p.px, p.py, p.pz]));
      for (const [k, o] of Object.entries(observables)) fill(o.h, values[k as keyof typeof values]);
    });
    // the weighted sample: every point with its weight (a tiny w_max accepts all, weight factor ∝ W; squares stay finite)
    const opened = reopenSampler(join(out, 'sampler.madnis'), 2, { pdf: sharedPdfGrid });
    const counts = opened.file.result!.counts.map((c) => c * 4);
    const batch = await opened.sampler.generate({ counts, seed: 77, iteration: 0, wMax: 1e-100 });
    const n = opened.process.info.pdg.length;
    for (let k = 0; k < batch.accepted; ++k) {
      const p = Array.from({ length: n }, (_, j) => Array.from(batch.events.momenta.subarray((k * n + j) * 4, (k * n + j) * 4 + 4)));
      const values = measure(p);
      for (const [key, o] of Object.entries(observables)) fill(o.w, values[key as keyof typeof values], batch.weightFactor[k]!);
    }
    for (const [name, o] of Object.entries(observables)) {
      const result = compareUnweightedToWeighted(o.h, o.w);
      console.log(`${name}: χ²/ndf = ${result.chi2.toFixed(1)}/${result.ndf}, p = ${result.p.toPrecision(3)}`);
      expect(result.ndf, name).toBeGreaterThan(8);
      expect(result.p, `${name}: χ²/ndf = ${result.chi2.toFixed(1)}/${result.ndf}`).toBeGreaterThan(0.001);
    }
  });
});

/**
 * Pearson χ² of event counts per category against expected fractions p ± δp (from an
 * independent integration): variance N·p + (N·δp)²; categories expecting fewer than 5
 * events are pooled into one.
 */
function compositionChi2(counts: number[], expected: Array<{ p: number; error: number }>): { chi2: number; ndf: number; p: number } {
  const n = counts.reduce((a, c) => a + c, 0);
  const bins: Array<{ observed: number; p: number; variance: number }> = [];
  const pooled = { observed: 0, p: 0, variance: 0 };
  counts.forEach((observed, c) => {
    const { p, error } = expected[c]!;
    const target = n * p >= 5 ? (bins.push({ observed: 0, p: 0, variance: 0 }), bins.at(-1)!) : pooled;
    target.observed += observed;
    target.p += p;
    target.variance += (n * error) ** 2;
  });
  if (pooled.p > 0 || pooled.observed > 0) bins.push(pooled);
  let chi2 = 0;
  // Pearson's n·p (not the binomial n·p(1−p)): with the constraint Σ observed = n it is χ² with k − 1 degrees of freedom
  for (const b of bins) chi2 += (b.observed - n * b.p) ** 2 / (n * b.p + b.variance || 1);
  const ndf = bins.length - 1;
  return { chi2, ndf, p: chi2PValue(chi2, ndf) };
}

describe.skipIf(!haveSharedPdf)('event composition: every channel and subprocess gets its share of the events', () => {
  // two parts (as MG5 subprocess folders), five channels: the stratified batches draw them in order
  const out = join(work, 'composition');
  beforeAll(() => train('builtin:dy_zprime,builtin:dy_zprime?zprime=off', out, ['--pdf', sharedPdfGrid]));

  for (const events of [200, 10_000]) {
    it(`${events} events: the fraction per channel and per part is σ_c/σ (χ² p > 0.001, seeds 1–3)`, () => {
      const trained = readSamplerFile(join(out, 'sampler.madnis')).result!;
      const sigma = trained.sigma;
      // σ_c/σ with the error of σ_c (σ's own error is much smaller than the events' statistics)
      const expected = trained.channels.map((c) => ({ p: c.sigma / sigma, error: c.error / sigma }));
      const partOf = [0, 0, 0, 1, 1];
      const partExpected = [0, 1].map((part) => {
        const cs = trained.channels.filter((_, c) => partOf[c] === part);
        return { p: cs.reduce((a, c) => a + c.sigma, 0) / sigma, error: Math.hypot(...cs.map((c) => c.error)) / sigma };
      });
      for (const seed of [1, 2, 3]) {
        const dir = join(out, `n${events}-s${seed}`);
        // events are counted: a w_max with 1e-4 of σ in overweights keeps the counts' bias
        // from overweight events (their excess weight) far below the counts' statistics
        const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', String(events), '--seed', String(seed), '--threads', '2', '--pdf', sharedPdfGrid, '--out', dir, '--overweight-share', '0.0001', '--presample', '200000']);
        expect(run.status, run.stderr).toBe(0);
        const summary = JSON.parse(readFileSync(join(dir, 'Events', 'run_01', 'summary.json'), 'utf8'));
        const channels = summary.composition.channels.map((c: { events: number }) => c.events);
        const parts = summary.composition.parts.map((p: { events: number }) => p.events);
        expect(channels.reduce((a: number, c: number) => a + c, 0)).toBe(events);
        expect(summary.composition.parts.map((p: { name: string }) => p.name)).toEqual(['builtin:dy_zprime', 'builtin:dy_zprime?zprime=off']);
        for (const [what, counts, fractions] of [['channels', channels, expected], ['parts', parts, partExpected]] as const) {
          const result = compositionChi2(counts, fractions);
          const detail = `${what}, seed ${seed}: events ${counts.join(' ')} expected ${fractions.map((f) => (f.p * events).toFixed(1)).join(' ')}, χ²/ndf = ${result.chi2.toFixed(1)}/${result.ndf}`;
          console.log(`${events} events, ${detail}, p = ${result.p.toPrecision(3)}`);
          expect(result.ndf, detail).toBeGreaterThan(0);
          expect(result.p, detail).toBeGreaterThan(0.001);
        }
      }
    });
  }
});

describe('normalisation: the mean XWGTUP is the <init> cross section, overweight events included', () => {
  const out = join(work, 'norm');
  beforeAll(() => train('builtin:ee_mumu?sqrts=200&cuts=mg5', out));

  it('mean weight = σ to 1e-9 with overweights present; the banner says how', async () => {
    // a generous overweight share: many events above w_max
    const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '5000', '--seed', '4', '--threads', '2', '--overweight-share', '0.2', '--presample', '50000']);
    expect(run.status, run.stderr).toBe(0);
    const lhe = join(out, 'Events', 'run_01', 'unweighted_events.lhe.gz');
    const weights: number[] = [];
    const read = await readLhe(lhe, (e) => weights.push(e.weight));
    const summary = JSON.parse(readFileSync(join(out, 'Events', 'run_01', 'summary.json'), 'utf8'));
    expect(summary.overweight_events).toBeGreaterThan(50);
    const unit = Math.min(...weights), max = Math.max(...weights);
    expect(max / unit).toBeGreaterThan(1.01);
    expect(weights.filter((w) => w > unit * (1 + 1e-9))).toHaveLength(summary.overweight_events);
    const mean = weights.reduce((a, w) => a + w, 0) / weights.length;
    const sigma = read.init.processes[0]!.xsec;
    expect(Math.abs(mean / sigma - 1)).toBeLessThan(1e-9);
    expect(summary.normalisation.unit_weight_pb).toBeCloseTo(unit, 6);
    // lhe-info sees the same: the unit weight, and the overweight events above it (an event
    // less than 1e-6 above, lhe-info's tolerance for MG5's 8-digit weights, counts as at unit)
    const info = await lheInfo(lhe);
    expect(info.weights.unit_weight).toBe(unit);
    expect(info.weights.above_unit_weight).toBe(weights.filter((w) => w > unit * (1 + 1e-6)).length);
    expect(info.weights.above_unit_weight).toBeGreaterThan(summary.overweight_events - 5);
    expect(read.header).toContain('<madnis_normalisation>');
    expect(read.header).toMatch(/sum of weight factors: [\d.]+/);
    // nothing left behind: no partial or temporary file
    expect(existsSync(`${lhe}.partial`)).toBe(false);
  });
});

describe('an interrupted generate leaves no file under the final name', () => {
  const out = join(work, 'kill');
  beforeAll(() => train('builtin:ee_mumu', out));
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(signal, async () => {
      const child = spawn(process.execPath, [join(packageRoot, 'bin', 'madnis-ts.js'), 'generate', join(out, 'sampler.madnis'), '--events', '5000000', '--threads', '2', '--out', join(out, signal)], { stdio: 'ignore' });
      const partial = join(out, signal, 'Events', 'run_01', 'unweighted_events.lhe.partial');
      const deadline = Date.now() + 60_000;
      while (!existsSync(partial) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      child.kill(signal);
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      if (signal === 'SIGTERM') expect(code).toBe(1);
      expect(existsSync(join(out, signal, 'Events', 'run_01', 'unweighted_events.lhe.gz'))).toBe(false);
      expect(existsSync(partial)).toBe(true);
      // the partial file reads as truncated, never as a complete event file
      let seen = 0;
      const error = await readLhe(partial, () => seen++).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/unclosed root/);
      const summaryPath = join(out, signal, 'Events', 'run_01', 'summary.json');
      if (signal === 'SIGKILL') {
        // killed outright: no summary claims anything
        expect(existsSync(summaryPath)).toBe(false);
        return;
      }
      // stopped between batches: the summary says the run is incomplete, and where its events are
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
      expect(summary.completed).toBe(false);
      expect(summary.lhe_file).toBe(partial);
      expect(summary.normalisation).toBeNull();
      expect(summary.events).toBe(seen);
      expect(summary.events).toBeLessThan(5_000_000);
    });
  }
});
