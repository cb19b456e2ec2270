/** What the commands print: terminal tables and lines built from the use cases' results. */
import Table from 'cli-table3';

import type { GenerateSummary } from '../app/generate.js';
import type { IntegrateSummary } from '../app/integrate.js';
import type { TrainedSampler } from '../app/train.js';
import type { GenerateResult } from '../generate/run.js';
import type { ScaleVariationSummary } from '../generate/scale_variations.js';
import type { Comparison } from '../report/compare.js';
import type { CompositionComparison } from '../report/composition.js';
import { headlineRows } from '../report/report.js';
import { flowCount } from '../train/schedule.js';
import { count, percent, seconds, shareText, withError } from '../util/format.js';

const plainTable = {
  style: { head: [], border: [] },
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
};

const out = (text: string) => process.stdout.write(text);

export function printIntegrate(summary: IntegrateSummary, summaryPath: string): void {
  out(`\nmadnis-ts integrate  ${summary.process.spec}\n`);
  out(`  ${summary.process.description}\n`);
  out(`  ${summary.sampler}: ${count(summary.points_evaluated)} points, seed ${summary.seed}, ${summary.threads} thread(s)\n\n`);
  const table = new Table({
    head: ['channel', 'points', 'pass cuts', 'σ_c [pb]', 'share', 'rel. std'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right'],
    ...plainTable,
  });
  for (const c of summary.channels) {
    table.push([
      `${c.channel} ${c.name}`,
      count(c.points),
      percent(c.points_passing_cuts / c.points, 1),
      withError(c.sigma_pb, c.sigma_error_pb),
      c.share === null ? '-' : percent(c.share, 1),
      c.relative_std.toFixed(3),
    ]);
  }
  out(`${table.toString()}\n\n`);
  out(`  σ = ${withError(summary.sigma_pb, summary.sigma_error_pb)} pb` +
    (summary.relative_error !== null ? `   (relative error ${percent(summary.relative_error, 3)})` : '') + '\n');
  if (summary.reference) {
    out(`  known value (${summary.reference.source}): ${summary.reference.sigma_pb.toPrecision(8)}, pull z = ${summary.reference.pull.toFixed(2)}\n`);
  }
  out(`  points evaluated: ${count(summary.points_evaluated)}, passing cuts: ${percent(summary.fraction_passing_cuts)}`);
  out(summary.invalid_weights > 0 ? `, invalid (NaN/inf) weights excluded: ${count(summary.invalid_weights)}\n` : '\n');
  out(`  wall time ${seconds(summary.wall_time_s)} (${count(Math.round(summary.points_per_second))} points/s)\n`);
  out(`  summary: ${summaryPath}\n`);
}

/** The training's table per phase and its final integration. */
export function printTraining(trained: TrainedSampler): void {
  const { progress, final } = trained;
  const share = shareText(trained.config.integration.overweight_share);
  const table = new Table({
    head: ['phase', 'σ over the phase [pb]', 'χ²/dof', 'σ, fresh points [pb]', 'rel. std', `ε (≤${share.replace(' ', '')} overw.)`, 'ε (max)', 'points', 'wall'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ...plainTable,
  });
  for (const p of progress.phases) {
    table.push([
      p.phase,
      withError(p.sigma, p.error),
      p.chi2_per_dof === null ? '-' : p.chi2_per_dof.toFixed(2),
      withError(p.final.sigma, p.final.error),
      p.final.relative_std.toFixed(3),
      percent(p.final.efficiency_truncated),
      percent(p.final.efficiency_max),
      count(p.points),
      seconds(p.wall_time_s),
    ]);
  }
  out(`\n${table.toString()}\n\n`);
  out(`  σ = ${withError(final.sigma, final.error)} pb  (${count(final.points)} fresh points, relative std of the weights ${final.relative_std.toFixed(3)})\n`);
  out(`  unweighting efficiency ε = ⟨w⟩/w_max: ${percent(final.efficiency_truncated)} with w_max leaving ≤ ${share} of σ in overweights` +
    ` (${percent(final.overweight_fraction_truncated, 3)} of points above it), ${percent(final.efficiency_max)} with the plain maximum,` +
    ` ${percent(final.efficiency_median_max)} with the median replica maximum\n`);
  out(`  unweighting with that w_max (≤ ${share} overweights) accepts ${percent(final.acceptance_truncated)} of points (overweight events kept with weight W/w_max)\n`);
  if (progress.history.dropped.length > 0) {
    out(`  dropped channels: ${progress.history.dropped.map((d) => `${d.channel + 1} (share ${d.share.toExponential(1)} at step ${d.step})`).join(', ')}\n`);
  }
  const flows = flowCount(trained.config, trained.process.copyOf);
  if (flows && flows.symmetric_copies_sharing > 0) {
    out(`  flows: ${flows.flows} for ${flows.channels} channels (${flows.symmetric_copies_sharing} symmetric copies train their config's flow)\n`);
  }
  out(`  integrand evaluations: ${count(progress.points)}, wall time ${seconds(trained.wallSeconds)}\n`);
  const splits = progress.phases.filter((p) => p.split);
  if (splits.length > 0 && trained.wallSeconds > 0) {
    const sum = (key: 'matrix_element_s' | 'sampler_networks_s' | 'rest_s') => splits.reduce((a, p) => a + p.split![key], 0);
    const part = (s: number) => `${seconds(s)} (${percent(s / trained.wallSeconds, 0)})`;
    out(`  where the training's time went: matrix element ${part(sum('matrix_element_s'))}, sampler and networks ${part(sum('sampler_networks_s'))}, rest ${part(sum('rest_s'))}\n`);
  }
  if (progress.invalid > 0) {
    out(`  WARNING: ${count(progress.invalid)} points had a non-finite weight or channel weight (NaN/inf from the integrand): excluded with weight 0 and counted; σ covers the rest of phase space only\n`);
  }
  out(`  sampler: ${trained.path}\n`);
}

/** How the weights were fixed, and the events per part (subprocess) when there are several. */
export function printNormalisation(result: GenerateResult): void {
  const n = result.normalisation;
  if (n) out(`  weights: XWGTUP = σ·N·f/Σf (mean weight = <init> σ; unit weight ${n.unit_weight_pb.toPrecision(8)} pb, Σf = ${n.sum_weight_factors.toPrecision(8)} over ${count(n.events)} events)\n`);
  const parts = result.composition.parts;
  if (parts.length > 1) {
    out(`  events per subprocess: ${parts.map((p) => `${p.name} ${count(p.events)} (${percent(p.weight_share, 1)})`).join(', ')}\n`);
  }
  printScaleVariations(result.scaleVariations);
}

/** The 9-point scale variations under their summary.json names (scale_variations). */
export function printScaleVariations(s: ScaleVariationSummary): void {
  if (!s.computed || !s.envelope) {
    out(`  scale_variations: none written (${s.note})\n`);
    return;
  }
  const central = s.variations.find((v) => v.mu_r_factor === 1 && v.mu_f_factor === 1)!.sigma_pb;
  const table = new Table({ head: ['id', 'mu_r_factor', 'mu_f_factor', 'sigma_pb', 'ratio_to_central'], style: { head: [], border: [] } });
  for (const v of s.variations) table.push([v.id, v.mu_r_factor, v.mu_f_factor, withError(v.sigma_pb, v.error_pb), `${v.ratio_to_central.toFixed(5)} ± ${v.ratio_error.toFixed(5)}`]);
  out(`  scale_variations (<rwgt> ids 1–9, as MG5's systematics "Central scale variation"):\n${table.toString().replace(/^/gm, '  ')}\n`);
  out(`  envelope: ${s.envelope.min_pb.toPrecision(6)} … ${s.envelope.max_pb.toPrecision(6)} pb (${percent(s.envelope.min_pb / central - 1, 1)} / +${percent(s.envelope.max_pb / central - 1, 1)} of σ)\n`);
}

export function printGenerate(description: string, result: GenerateResult, summary: GenerateSummary, summaryPath: string): void {
  const g = result.generation;
  out(`\nmadnis-ts generate  ${summary.sampler_file}\n  ${description}\n`);
  out(`  ${count(result.events)} unweighted events: ${result.lhePath}\n`);
  out(`  σ = ${withError(summary.sigma_pb, summary.sigma_error_pb)} pb (${summary.sigma_source}); from the generation points ${withError(g.sigma, g.error)} pb\n`);
  out(`  w_max = ${result.w_max.toExponential(4)} (${result.w_max_source})\n`);
  out(`  acceptance ${percent(g.acceptance)} ± ${percent(g.acceptance_error, 3)} measured on ${count(g.points)} points (expected ${percent(summary.expected_acceptance)})\n`);
  out(`  overweight events: ${count(g.overweight_events)} (${percent(summary.overweight_fraction, 3)} of events, ${percent(g.overweight_sigma_share, 3)} of σ in their excess weight)\n`);
  printNormalisation(result);
  if (g.invalid > 0) out(`  WARNING: ${count(g.invalid)} drawn points had a non-finite weight (NaN/inf from the integrand): excluded, never written\n`);
  const t = result.timing;
  out(`  wall ${seconds(t.wall_s)} (${count(Math.round(summary.events_per_second))} events/s); CPU: sampling ${seconds(t.sample_s)}, process ${seconds(t.evaluate_s)}, unweighting ${seconds(t.unweight_s)}; LHE writing ${seconds(t.write_s)}\n`);
  out(`  summary: ${summaryPath}\n`);
}

export function printHeadline(report: { comparison: Comparison; composition: CompositionComparison[]; warnings: string[] }): void {
  const table = new Table({ head: ['', 'madnis-ts', 'MG5', 'madnis-ts / MG5'], style: { head: [], border: [] } });
  for (const row of headlineRows(report.comparison)) table.push(row);
  out(`\nmadnis-ts vs MG5 (same cards, seed and threads)\n${table.toString()}\n`);
  for (const k of report.composition) out(`  composition by ${k.label}: χ²/ndf = ${k.chi2.toFixed(1)}/${k.ndf}, p = ${k.p.toPrecision(3)}\n`);
  for (const warning of report.warnings) out(`  WARNING: ${warning}\n`);
}
