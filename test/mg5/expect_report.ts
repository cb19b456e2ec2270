/**
 * What every launch's report must show against MG5's own events for the same cards (shared
 * by the MG5 tests): both σ agree, the efficiencies, distributions and composition agree,
 * and MG5's lhe_parser sees the same record in both files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from 'vitest';

import { testMg5Home } from './mg5_home.js';
import { describeWithMg5, type Mg5LheDescription } from './mg5_lhe.js';

const mg5Home = testMg5Home();

/** report.html and the comparison in summary.json: both σ agree, all three efficiency measures for both samplers. */
export function expectReport(out: string, summary: Record<string, any>, ours?: Mg5LheDescription): void {
  expect(existsSync(join(out, 'report.html'))).toBe(true);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  expect(html).toContain('<h2>Headline</h2>');
  expect(html).not.toContain('<p class="warning">');
  const c = summary.comparison;
  expect(Math.abs(c.sigma.pull)).toBeLessThan(3);
  expect(c.events.mg5).toBe(summary.events.count);
  for (const e of [c.efficiency.end_to_end.madnis, c.efficiency.end_to_end.mg5, c.efficiency.sampler_max.madnis, c.efficiency.sampler_channels.mg5, c.efficiency.sampler_truncated.madnis]) {
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThanOrEqual(1);
  }
  expect(c.efficiency.end_to_end.ratio).toBeCloseTo(c.efficiency.end_to_end.madnis / c.efficiency.end_to_end.mg5, 12);
  expect(c.time.to_events.map((t: { events: number }) => t.events)).toEqual([1e4, 1e5, 1e6]);
  // both event files follow one distribution: χ² of each observable within 5 standard
  // deviations √(2 ndf) of ndf (a mirrored symmetric channel once gave η(t) χ² = 453/24)
  expect(summary.comparison.distributions.length).toBeGreaterThan(0);
  for (const d of summary.comparison.distributions as Array<{ label: string; chi2: number; ndf: number }>)
    expect(d.chi2, d.label).toBeLessThan(d.ndf + 5 * Math.sqrt(2 * d.ndf));
  // the composition by initial state and by subprocess folder agrees with MG5's events
  expect(summary.comparison.composition.map((k: { id: string }) => k.id)).toEqual(['initial_state', 'subprocess']);
  for (const k of summary.comparison.composition as Array<{ label: string; chi2: number; ndf: number; p: number; rows: Array<{ category: string }> }>) {
    console.log(`${summary.processes.join('; ')}: composition by ${k.label}: χ²/ndf = ${k.chi2.toFixed(1)}/${k.ndf}, p = ${k.p.toPrecision(3)}`);
    expect(k.p, `${k.label}: χ²/ndf = ${k.chi2}/${k.ndf}`).toBeGreaterThan(0.001);
    expect(k.rows.map((r) => r.category).filter((c) => c.startsWith('flavours of no subprocess'))).toEqual([]);
  }
  expect(summary.comparison.warnings).toEqual([]);
  // the launched folder is left as it was: MG5's baseline ran in a copy
  expect(existsSync(join(out, 'process', 'Events', 'baseline'))).toBe(false);
  expect(existsSync(join(out, 'baseline', 'process', 'Events', 'baseline'))).toBe(true);
  expectSameRecordAsMg5(summary, ours);
}

/**
 * MG5's lhe_parser sees in our file what it sees in MG5's own for the same cards: the banner
 * blocks and cards, the PDF set, the per-event systematics block, the same kinds of
 * intermediate particles (each with its daughters' invariant mass and colour); and the mean
 * weight is the <init> σ.
 */
function expectSameRecordAsMg5(summary: Record<string, any>, read?: Mg5LheDescription): void {
  const ours = read ?? describeWithMg5(mg5Home!, summary.events.file);
  const theirs = describeWithMg5(mg5Home!, summary.baseline.events_file);
  for (const block of ['mgversion', 'mg5proccard', 'mgproccard', 'mgruncard', 'slha', 'mggenerationinfo', 'init']) expect(ours.banner).toContain(block);
  expect(ours.banner).toEqual(expect.arrayContaining(theirs.banner));
  // beams, energies (formatted with more digits), PDF groups and sets, IDWTUP, NPRUP
  expect(ours.init.map(Number)).toEqual(theirs.init.map(Number));
  expect(ours.run_card).toEqual(theirs.run_card);
  expect(ours.masses).toEqual(theirs.masses);
  expect(ours.with_mgrwt).toBe(theirs.with_mgrwt === theirs.events ? ours.events : 0);
  expect(ours.mgrwt_consistent).toBe(ours.with_mgrwt);
  expect(ours.n_qcd.sort()).toEqual(theirs.n_qcd.sort());
  expect(Object.keys(ours.intermediate).sort()).toEqual(Object.keys(theirs.intermediate).sort());
  expect(ours.bad_intermediate).toBe(0);
  expect(Math.abs(ours.mean_weight / ours.sigma_pb - 1)).toBeLessThan(1e-9);
}
