/**
 * The comparison report: its numbers (efficiencies, crossover, χ² of distributions) on
 * inputs with known answers, and report.html as a person sees it — opened in headless
 * Chromium (where installed; .ci/run installs it), without errors, every plot drawn.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LheEvent } from '../../src/lhe/types.js';
import type { BaselineResult } from '../../src/mg5/baseline.js';
import { combineChannelEfficiencies, compare, crossover, type MadnisSide } from '../../src/report/compare.js';
import { chooseObservables, compareSamples, fillSample } from '../../src/report/observables.js';
import { compareComposition } from '../../src/report/composition.js';
import { buildReport, comparisonWarnings, headlineRows, sigmaWarning } from '../../src/report/report.js';
import { readSamplerFile } from '../../src/train/sampler_file.js';
import type { FinalIntegration } from '../../src/train/schedule.js';
import { runCli } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function final(efficiencyMax: number, channels: Array<{ sigma: number; eff: number }>): FinalIntegration {
  return {
    points: 100000, counts: channels.map(() => 50000), sigma: channels.reduce((a, c) => a + c.sigma, 0), error: 1,
    channels: channels.map((c, i) => ({ channel: i, sigma: c.sigma, error: 0.5, points: 50000, nonzero: 40000, efficiency_max: c.eff, efficiency_truncated: 2 * c.eff })),
    relative_std: 1, efficiency_max: efficiencyMax, efficiency_truncated: 0.3, efficiency_median_max: 0.2, w_max_truncated: 1, w_max_median: 1,
    acceptance_truncated: 0.3, overweight_fraction_truncated: 0.001, overweight_sigma_share_truncated: 0.01, points_passing_cuts: 80000, invalid_points: 0,
  };
}

function baseline(over: Partial<BaselineResult> = {}): BaselineResult {
  return {
    process_dir: '/x/process', run: 'baseline', events_file: '/x/e.lhe', events: 10000, sigma_pb: 100, sigma_error_pb: 1, points: 1_000_000,
    unweighted_before_combination: 20000, wall_time_s: 200, threads: 2, seed: 1, log: '/x/log',
    channels: [
      { label: 'P1/G1', sigma_pb: 60, error_pb: 0.8, points: 600000, unweighted_events: 6000, survey_efficiency: 0.02 },
      { label: 'P1/G2', sigma_pb: 40, error_pb: 0.6, points: 400000, unweighted_events: 4000, survey_efficiency: 0.04 },
    ],
    ...over,
  };
}

describe('the comparison numbers', () => {
  const side: MadnisSide = {
    sigma_pb: 103, sigma_error_pb: 1, final: final(0.1, [{ sigma: 62, eff: 0.2 }, { sigma: 41, eff: 0.1 }]), phases: [],
    training_points: 2_000_000, training_wall_s: 100, events: 10000, generation_points: 100000, generation_wall_s: 10, channel_labels: ['P1/G1', 'P1/G2'], overweight_share: 0.001,
  };

  it('combines channel efficiencies as Σσ_c / Σ(σ_c/ε_c)', () => {
    // 60/0.02 + 40/0.04 = 4000 points per pb: 100/4000
    expect(combineChannelEfficiencies([{ sigma: 60, efficiency: 0.02 }, { sigma: 40, efficiency: 0.04 }])).toBeCloseTo(0.025, 15);
    expect(combineChannelEfficiencies([{ sigma: 60, efficiency: 0.02 }, { sigma: 40, efficiency: null }])).toBeNull();
    expect(combineChannelEfficiencies([{ sigma: 0, efficiency: null }, { sigma: 40, efficiency: 0.5 }])).toBe(0.5);
  });

  it('gives the pull, the efficiency ratios, the time to N events and the crossover', () => {
    const c = compare(side, baseline());
    expect(c.sigma.pull).toBeCloseTo(3 / Math.SQRT2, 12);
    expect(c.efficiency.end_to_end.madnis).toBeCloseTo(0.1, 15);
    expect(c.efficiency.end_to_end.mg5).toBeCloseTo(0.01, 15);
    expect(c.efficiency.end_to_end.ratio).toBeCloseTo(10, 12);
    // no ratio of two definitions: MG5's logs give per-channel efficiencies only
    expect(c.efficiency.sampler_max).toEqual({ madnis: 0.1, madnis_points: 100000 });
    expect(c.efficiency.sampler_channels.mg5).toBeCloseTo(0.025, 15);
    // madnis: 100 s + N·1 ms; MG5: N·20 ms → equal at N = 100/0.019
    expect(c.time.crossover_events).toBe(Math.ceil(100 / 0.019));
    const at1e4 = c.time.to_events.find((t) => t.events === 1e4)!;
    expect(at1e4.madnis_s).toBeCloseTo(110, 9);
    expect(at1e4.mg5_s).toBeCloseTo(200, 9);
    expect(c.jobs[1]!.mg5!.end_to_end).toBeCloseTo(0.01, 15);
    expect(c.channels[0]!.madnis.share).toBeCloseTo(62 / 103, 15);
    // the truncated ε is labelled with the share the events were unweighted with
    expect(c.efficiency.sampler_truncated.overweight_share).toBe(0.001);
    expect(headlineRows(c).map((row) => row[0])).toContain('sampler ε, ≤ 0.1 % overweights');
  });

  it('sums the channels of symmetric copies and Breit-Wigner splits per MG5 job', () => {
    // madnis-ts: G1, its copy G3, and G2; MG5: job G1 (copies folded in), G2 split in two
    const three: MadnisSide = { ...side, final: final(0.1, [{ sigma: 31, eff: 0.2 }, { sigma: 41, eff: 0.1 }, { sigma: 31, eff: 0.1 }]), channel_labels: ['P1/G1', 'P1/G2', 'P1/G3'] };
    const mg5 = baseline({ channels: [
      { label: 'P1/G1', sigma_pb: 60, error_pb: 0.8, points: 600000, unweighted_events: 6000, survey_efficiency: 0.02 },
      { label: 'P1/G2.1', sigma_pb: 30, error_pb: 0.3, points: 300000, unweighted_events: 3000, survey_efficiency: 0.04 },
      { label: 'P1/G2.2', sigma_pb: 10, error_pb: 0.4, points: 100000, unweighted_events: 1000, survey_efficiency: 0.04 },
    ] });
    const c = compare(three, mg5, undefined, new Map([['P1/G3', 'P1/G1'], ['P1/G1', 'P1/G1'], ['P1/G2', 'P1/G2']]));
    expect(c.jobs.map((j) => [j.label, j.madnis_channels])).toEqual([['P1/G1', ['P1/G1', 'P1/G3']], ['P1/G2', ['P1/G2']]]);
    expect(c.jobs[0]!.madnis!.sigma_pb).toBe(62);
    expect(c.jobs[0]!.madnis!.efficiency_max).toBeCloseTo(62 / (31 / 0.2 + 31 / 0.1), 14);
    expect(c.jobs[1]!.mg5!.sigma_pb).toBe(40);
    expect(c.jobs[1]!.mg5!.error_pb).toBeCloseTo(0.5, 14);
    expect(c.jobs[1]!.pull).toBeCloseTo((41 - 40) / Math.hypot(0.5, 0.5), 12);
  });

  it("counts MG5's survey as its fixed cost when it was timed", () => {
    // MG5: 50 s + N·15 ms; madnis: 100 s + N·1 ms → equal at N = 50/0.014
    const c = compare(side, baseline({ survey_wall_s: 50 }));
    expect(c.time.to_events.find((t) => t.events === 1e4)!.mg5_s).toBeCloseTo(200, 9);
    expect(c.time.crossover_events).toBe(Math.ceil(50 / 0.014));
    expect(compare({ ...side, training_wall_s: 40 }, baseline({ survey_wall_s: 50 })).time.crossover_events).toBe(0);
  });

  it('warns when the cross sections disagree by more than 3 standard deviations', () => {
    expect(sigmaWarning(compare(side, baseline()))).toBeNull(); // pull 2.1
    expect(sigmaWarning(compare(side, baseline({ sigma_pb: 90 })))).toMatch(/^σ of madnis-ts and MG5 differ by 9\.2 standard deviations/);
  });

  it('says on which side of the crossover madnis-ts is faster', () => {
    expect(crossover(100, 0.001, 0, 0.02)).toEqual({ crossover_events: Math.ceil(100 / 0.019), madnis_faster: 'above' });
    expect(crossover(10, 0.001, 50, 0.02)).toEqual({ crossover_events: 0, madnis_faster: 'always' });
    // shorter training than MG5's survey but slower per event: faster only for few events
    expect(crossover(10, 0.1, 50, 0.02)).toEqual({ crossover_events: Math.floor(40 / 0.08), madnis_faster: 'below' });
    expect(crossover(100, 0.1, 50, 0.02)).toEqual({ crossover_events: null, madnis_faster: 'never' });
  });

  it('compares the per-channel sampler efficiencies of both the same way', () => {
    const c = compare(side, baseline());
    // madnis: 103 / (62/0.2 + 41/0.1) = 103/720; MG5 0.025
    expect(c.efficiency.sampler_channels.madnis).toBeCloseTo(103 / 720, 14);
    expect(c.efficiency.sampler_channels.ratio).toBeCloseTo(103 / 720 / 0.025, 12);
  });

  it('has no crossover when madnis-ts is slower per event', () => {
    const slow = compare({ ...side, generation_wall_s: 1000 }, baseline()).time;
    expect(slow.crossover_events).toBeNull();
    expect(slow.madnis_faster).toBe('never');
  });
});

/** Events of a pair of back-to-back leptons with p_T drawn from an exponential of mean `scale`. */
function events(n: number, scale: number, seed: number): LheEvent[] {
  let s = seed >>> 0;
  const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return Array.from({ length: n }, () => {
    const pt = -scale * Math.log(random()), phi = 2 * Math.PI * random(), pz = 100 * (random() - 0.5);
    const e = Math.hypot(pt, pz);
    const particle = (sign: number, pdg: number) => ({
      pdg, status: 1, mothers: [1, 2] as [number, number], colour: [0, 0] as [number, number],
      px: sign * pt * Math.cos(phi), py: sign * pt * Math.sin(phi), pz: sign * pz, e, m: 0, lifetime: 0, spin: 9,
    });
    return { processId: 1, weight: 1, scale: 91, alphaQED: 0.0078, alphaS: 0.118, particles: [particle(1, 13), particle(-1, -13)] };
  });
}

describe('distributions', () => {
  const observables = chooseObservables([13, -13]);

  it('chooses p_T and η of both leptons and their mass from the final state', () => {
    expect(observables.map((o) => o.id)).toEqual(['pt_lepton1', 'eta_lepton1', 'pt_lepton2', 'eta_lepton2', 'm_leptonlepton']);
    expect(chooseObservables([-11, 12, 21, 1]).map((o) => o.id)).toEqual(['pt_lepton1', 'eta_lepton1', 'pt_neutrino1', 'pt_jet1', 'eta_jet1', 'pt_jet2', 'eta_jet2', 'm_jetjet', 'm_lv', 'm_final']);
  });

  it('χ²/ndf is near 1 for two samples of one distribution and large for different ones', () => {
    const a = fillSample(events(20000, 30, 1), observables, 10);
    const same = compareSamples(observables, a, fillSample(events(20000, 30, 2), observables, 10));
    const pt = same.find((c) => c.id === 'pt_lepton1')!;
    // χ² with ndf degrees of freedom: within 4 standard deviations √(2 ndf)
    expect(Math.abs(pt.chi2 - pt.ndf)).toBeLessThan(4 * Math.sqrt(2 * pt.ndf));
    const other = compareSamples(observables, a, fillSample(events(20000, 36, 2), observables, 10)).find((c) => c.id === 'pt_lepton1')!;
    expect(other.chi2).toBeGreaterThan(other.ndf + 5 * Math.sqrt(2 * other.ndf));
    // dσ/dx integrates to σ over the range (1 %–99 % of the pooled values, so a little less)
    const integral = pt.a.density.reduce((s, d, i) => s + d * (pt.a.edges[i + 1]! - pt.a.edges[i]!), 0);
    expect(integral).toBeGreaterThan(9.7);
    expect(integral).toBeLessThanOrEqual(10 + 1e-9);
  });
});

describe('composition', () => {
  /** n events whose initial state is u u~ with probability pu, else g g; weight w each */
  function mix(n: number, pu: number, seed: number, w = 1): LheEvent[] {
    let s = seed >>> 0;
    const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
    return Array.from({ length: n }, () => {
      const [a, b] = random() < pu ? [2, -2] : [21, 21];
      const p = (pdg: number, status: number) => ({ pdg, status, mothers: [0, 0] as [number, number], colour: [0, 0] as [number, number], px: 0, py: 0, pz: 1, e: 1, m: 0, lifetime: 0, spin: 9 });
      return { processId: 1, weight: w, scale: 91, alphaQED: 0.0078, alphaS: 0.118, particles: [p(a, -1), p(b, -1), p(6, 1), p(-6, 1)] };
    });
  }
  const folders = new Map([['2 -2 > -6 6', 'P1_uux_ttx'], ['21 21 > -6 6', 'P1_gg_ttx']]);

  it('agrees for two samples of one mix, flags a biased one, and maps flavours to subprocess folders', () => {
    const same = compareComposition(mix(10000, 0.1, 1), mix(10000, 0.1, 2, 3), folders);
    expect(same.map((k) => k.id)).toEqual(['initial_state', 'subprocess']);
    for (const k of same) expect(k.p).toBeGreaterThan(0.001);
    expect(same[0]!.rows.map((r) => r.category)).toEqual(['g g', 'u u~']);
    expect(same[1]!.rows.map((r) => r.category)).toEqual(['P1_gg_ttx', 'P1_uux_ttx']);
    expect(same[1]!.rows[1]!.madnis.fraction).toBeCloseTo(0.1, 1);
    // 7 % of q q~ instead of 10 %: the plots of t t~ would not show it, this does
    const biased = compareComposition(mix(10000, 0.07, 1), mix(10000, 0.1, 2), folders);
    expect(biased[1]!.p).toBeLessThan(1e-6);
    const c = compare({ sigma_pb: 100, sigma_error_pb: 1, final: final(0.1, [{ sigma: 100, eff: 0.1 }]), phases: [], training_points: 1, training_wall_s: 1, events: 1, generation_points: 1, generation_wall_s: 1, channel_labels: ['P1/G1'] }, baseline());
    expect(comparisonWarnings(c, [], biased).filter((w) => /composition by/.test(w))).toHaveLength(2);
    expect(comparisonWarnings(c, [], same)).toEqual([]);
  });
});

const chromium = ['chromium', 'chromium-browser', 'google-chrome'].map((c) => spawnSync('which', [c], { encoding: 'utf8' }).stdout.trim()).find(Boolean);
if (!chromium) console.log('report browser test skipped: no Chromium found (apt-get install chromium; .ci/run installs it)');

describe('report.html', () => {
  let html = '';
  let plots = 0;
  beforeAll(async () => {
    // a trained built-in process and two event files stand in for both samplers
    const out = join(work, 'ee');
    const config = join(work, 'small.yaml');
    writeFileSync(config, 'vegas: {iterations: 3, points_per_iteration: 10000}\ntraining: {steps: 20, batch_size: 1024}\nintegration: {points: 20000}\n');
    const spec = 'builtin:ee_mumu?sqrts=200&cuts=mg5';
    const train = runCli(['train', spec, '--config', config, '--out', out, '--threads', '2']);
    expect(train.status, train.stderr).toBe(0);
    for (const seed of ['1', '2']) {
      const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '2000', '--seed', seed, '--threads', '2']);
      expect(run.status, run.stderr).toBe(0);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const file = readSamplerFile(join(out, 'sampler.madnis'));
    const gen = (run: string) => JSON.parse(readFileSync(join(out, 'Events', run, 'summary.json'), 'utf8'));
    const g1 = gen('run_01'), g2 = gen('run_02');
    const report = await buildReport({
      title: 'test report', processes: ['e+ e- > mu+ mu-'], cards: [{ name: 'proc_card', text: 'generate e+ e- > mu+ mu-\n' }],
      madnis: {
        sigma_pb: summary.sigma_pb, sigma_error_pb: summary.sigma_error_pb, final: summary.final, phases: summary.phases,
        training_points: summary.integrand_evaluations, training_wall_s: summary.wall_time_s, events: 2000, generation_points: g1.generation_points,
        generation_wall_s: g1.timing_s.wall_s, channel_labels: ['P0/G1', 'P0/G2'], events_file: g1.lhe_file,
        seed: 1, threads: 2, history: file.history,
      },
      baseline: baseline({ events_file: g2.lhe_file, events: 2000, sigma_pb: g2.sigma_pb, sigma_error_pb: g2.sigma_error_pb, channels: [
        { label: 'P0/G1', sigma_pb: 1, error_pb: 0.1, points: 1000, unweighted_events: 100, survey_efficiency: 0.1 },
        { label: 'P0/G2', sigma_pb: 1, error_pb: 0.1, points: 1000, unweighted_events: 100, survey_efficiency: 0.2 },
      ] }),
      versions: { 'madnis-ts': 'test' },
    });
    html = report.html;
    plots = report.plots;
    writeFileSync(join(work, 'report.html'), html);
  });

  it('is one self-contained file: inline SVG plots, no script, no external resource', () => {
    // 3 training curves, 2 channel plots, p_T and η of both muons (their mass is fixed at √s: no plot)
    expect(plots).toBe(3 + 2 + 4);
    expect(html.match(/<svg /g)?.length).toBe(plots);
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
    for (const heading of ['Headline', 'Definitions', 'Training', 'Channels', 'Distributions', 'Timings', 'Run']) expect(html).toContain(`<h2>${heading}</h2>`);
  });

  it.skipIf(!chromium)('opens in headless Chromium without errors, and every plot is drawn', async () => {
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ executablePath: chromium, args: ['--no-sandbox', '--disable-gpu'], headless: true });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      await page.setViewport({ width: 1300, height: 900 });
      await page.goto(`file://${join(work, 'report.html')}`, { waitUntil: 'load' });
      const figures = await page.$$eval('figure svg', (svgs) => svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        // drawn marks: lines, areas and bars are paths (or lines) with a stroke or fill
        const marks = svg.querySelectorAll('.mark-rule line, .mark-rule path, .mark-line path, .mark-rect path, .mark-area path, .mark-symbol path');
        return { width: box.width, height: box.height, marks: marks.length };
      }));
      expect(figures).toHaveLength(plots);
      for (const f of figures) {
        expect(f.width).toBeGreaterThan(100);
        expect(f.height).toBeGreaterThan(100);
        // more than the ratio panel's reference line: the data were drawn
        expect(f.marks).toBeGreaterThan(2);
      }
      const png = join(work, 'report.png');
      await page.screenshot({ path: png, fullPage: true });
      expect(statSync(png).size).toBeGreaterThan(50_000);
      if (process.env.MADNIS_KEEP_SCREENSHOT) execFileSync('cp', [png, process.env.MADNIS_KEEP_SCREENSHOT]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
