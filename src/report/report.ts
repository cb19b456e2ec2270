/**
 * report.html: one self-contained page (inline SVG plots, inline CSS, no script, no
 * network) with every number of the comparison; summary.json gets the same numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { count, percent, seconds, shareText, withError } from '../util/format.js';
import { readLhe } from '../lhe/reader.js';
import type { LheEvent } from '../lhe/types.js';
import type { BaselineResult } from '../mg5/baseline.js';
import type { TrainingHistory } from '../train/schedule.js';
import { writeFileAtomic } from '../util/atomic_write.js';
import { mg5JobOfChannel, subprocessOfFlavours } from '../mg5/subprocesses.js';
import { chi2PValue } from '../util/statistics.js';
import { compare, EFFICIENCY_DEFINITIONS, type Comparison, type MadnisSide } from './compare.js';
import { compareComposition, NOT_A_SUBPROCESS, type CompositionComparison } from './composition.js';
import { chooseObservables, compareSamples, fillSample, type DistributionComparison as Distribution } from './observables.js';
import { channelBarsSpec, curveSpec, distributionSpec, renderSvg, type ChannelBar, type CurvePoint } from './plots.js';

export interface ReportInputs {
  title: string;
  /** the launched MadEvent folder: its subprocess folders and symmetric configurations */
  processDir?: string;
  processes: string[];
  cards: Array<{ name: string; text: string }>;
  madnis: MadnisSide & { events_file: string; seed: number; threads: number; history: TrainingHistory };
  baseline: BaselineResult;
  versions: Record<string, string>;
}

export interface ReportResult {
  comparison: Comparison;
  distributions: Array<{ id: string; label: string; chi2: number; ndf: number; p: number }>;
  composition: CompositionComparison[];
  /** every disagreement worth a person's attention: σ pull > 3, p < 0.001 of a distribution or of the composition */
  warnings: string[];
  machine: { cpu: string; cores: number; memory_gib: number; platform: string };
  plots: number;
  html: string;
}

async function readEvents(path: string): Promise<{ events: LheEvent[]; sigma: number }> {
  const events: LheEvent[] = [];
  const read = await readLhe(path, (e) => events.push(e));
  return { events, sigma: read.init.processes.reduce((a, p) => a + p.xsec, 0) };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const ratio = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`);
const pct = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : percent(x, d));

function table(head: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A warning when the cross sections disagree: a sampler that never reached part of phase space. */
export function sigmaWarning(c: Comparison): string | null {
  if (!(Math.abs(c.sigma.pull) > 3)) return null;
  return `σ of madnis-ts and MG5 differ by ${Math.abs(c.sigma.pull).toFixed(1)} standard deviations: a sampler that has not converged can miss part of phase space (zero or near-zero channels in the table below). Train longer or with more points (vegas.points_per_iteration, training.steps, training.batch_size in madnis.yaml) before using these events.`;
}

function crossoverText(c: Comparison): string {
  const n = c.time.crossover_events === null ? '' : count(c.time.crossover_events);
  switch (c.time.madnis_faster) {
    case 'always': return 'for any number of events';
    case 'never': return 'never (slower per event, and its fixed cost is larger)';
    case 'above': return `above ${n} events`;
    case 'below': return `below ${n} events (slower per event)`;
  }
}

/** p below which a distribution or composition is flagged (two samples of one process rarely get there). */
export const P_WARNING = 0.001;

/** Every warning of a comparison: σ, distributions, composition. */
export function comparisonWarnings(c: Comparison, distributions: Array<{ label: string; chi2: number; ndf: number; p: number }>, composition: CompositionComparison[]): string[] {
  const warnings: string[] = [];
  const sigma = sigmaWarning(c);
  if (sigma) warnings.push(sigma);
  for (const d of distributions) {
    if (d.p < P_WARNING) warnings.push(`the distribution of ${d.label} differs between madnis-ts and MG5: χ²/ndf = ${d.chi2.toFixed(1)}/${d.ndf}, p = ${d.p.toExponential(1)}`);
  }
  for (const k of composition) {
    if (k.p < P_WARNING) warnings.push(`the composition by ${k.label} differs between madnis-ts and MG5: χ²/ndf = ${k.chi2.toFixed(1)}/${k.ndf}, p = ${k.p.toExponential(1)} (table "Composition")`);
    const stray = k.rows.find((r) => r.category.startsWith(NOT_A_SUBPROCESS));
    if (stray) warnings.push(`${stray.madnis.events} madnis-ts and ${stray.mg5.events} MG5 events have flavours that no subprocess folder generates`);
  }
  return warnings;
}

/** The headline rows, shared by the report and the terminal summary. */
export function headlineRows(c: Comparison): string[][] {
  const e = c.efficiency;
  return [
    ['σ [pb]', withError(c.sigma.madnis_pb, c.sigma.madnis_error_pb), withError(c.sigma.mg5_pb, c.sigma.mg5_error_pb), `pull ${c.sigma.pull.toFixed(2)}`],
    ...(c.sigma.scale_definition ? [['scale (both sides)', c.sigma.scale_definition, 'same', '']] : []),
    ['unweighted events', count(c.events.madnis), count(c.events.mg5), ''],
    ['end-to-end efficiency', `${pct(e.end_to_end.madnis, 3)} (${count(e.end_to_end.madnis_points)} points)`, `${pct(e.end_to_end.mg5, 3)} (${count(e.end_to_end.mg5_points)} points)`, ratio(e.end_to_end.ratio)],
    ['sampler ε, plain max, per channel Σσ_c/Σ(σ_c/ε_c)', `${pct(e.sampler_channels.madnis, 3)} (${count(e.sampler_max.madnis_points)} points)`, `${pct(e.sampler_channels.mg5, 3)} (survey logs)`, ratio(e.sampler_channels.ratio)],
    ['sampler ε, plain max, one w_max', `${pct(e.sampler_max.madnis, 3)} (${count(e.sampler_max.madnis_points)} points)`, '–', '–'],
    [`sampler ε, ≤ ${shareText(e.sampler_truncated.overweight_share)} overweights`, `${pct(e.sampler_truncated.madnis, 2)} (${count(e.sampler_truncated.madnis_points)} points)`, 'not in MG5\'s logs', '–'],
    ['fixed cost: training / survey', `${count(e.end_to_end.madnis_training_points)} points, ${seconds(c.time.madnis_training_s)}`, c.time.mg5_survey_s > 0 ? `survey ${seconds(c.time.mg5_survey_s)}` : 'survey (not timed)', ''],
    ...c.time.to_events.map((t) => [`time to ${count(t.events)} events`, seconds(t.madnis_s), seconds(t.mg5_s), ratio(t.ratio)]),
    ['madnis-ts is faster', crossoverText(c), '', ''],
  ];
}

function curves(history: TrainingHistory): { loss: CurvePoint[]; sigma: CurvePoint[]; eff: CurvePoint[] } {
  const loss: CurvePoint[] = [], sigma: CurvePoint[] = [], eff: CurvePoint[] = [];
  history.vegas.forEach((r) => {
    sigma.push({ phase: 'VEGAS', step: r.iteration, value: r.sigma, lo: r.sigma - r.error, hi: r.sigma + r.error });
    eff.push({ phase: 'VEGAS', step: r.iteration, value: r.efficiency });
  });
  const offset = history.vegas.length;
  history.flow.forEach((r) => {
    const step = offset + r.step;
    if (Number.isFinite(r.loss) && r.loss > 0) loss.push({ phase: 'flow', step, value: r.loss });
    sigma.push({ phase: 'flow', step, value: r.sigma, lo: r.sigma - r.error, hi: r.sigma + r.error });
    eff.push({ phase: 'flow', step, value: r.efficiency });
  });
  return { loss, sigma, eff };
}

export async function buildReport(inputs: ReportInputs): Promise<ReportResult> {
  const processDir = inputs.processDir;
  const comparison = compare(inputs.madnis, inputs.baseline, undefined, processDir ? mg5JobOfChannel(processDir) : undefined);
  const [ours, theirs] = await Promise.all([readEvents(inputs.madnis.events_file), readEvents(inputs.baseline.events_file)]);
  const finalState = (ours.events[0] ?? theirs.events[0])?.particles.filter((p) => p.status === 1).map((p) => p.pdg) ?? [];
  const observables = chooseObservables(finalState);
  const distributions: Distribution[] = compareSamples(
    observables,
    fillSample(ours.events, observables, ours.sigma),
    fillSample(theirs.events, observables, theirs.sigma),
  );
  const distributionNumbers = distributions.map((d) => ({ id: d.id, label: d.label, chi2: d.chi2, ndf: d.ndf, p: d.ndf > 0 ? chi2PValue(d.chi2, d.ndf) : 1 }));
  const composition = compareComposition(ours.events, theirs.events, processDir ? subprocessOfFlavours(processDir) : undefined);
  const warnings = comparisonWarnings(comparison, distributionNumbers, composition);
  const names = { a: 'madnis-ts', b: 'MG5' };

  const plots: Array<{ section: string; svg: string }> = [];
  const c = curves(inputs.madnis.history);
  if (c.loss.length) plots.push({ section: 'training', svg: await renderSvg(curveSpec('training loss', 'loss', c.loss, { log: c.loss.every((p) => p.value > 0) })) });
  plots.push({ section: 'training', svg: await renderSvg(curveSpec('σ per step', 'σ [pb]', c.sigma, { reference: { value: comparison.sigma.mg5_pb, label: 'MG5' } })) });
  plots.push({ section: 'training', svg: await renderSvg(curveSpec('unweighting efficiency per step (≤ 1 % overweights)', 'ε', c.eff)) });
  const shares: ChannelBar[] = [], effs: ChannelBar[] = [];
  for (const job of comparison.jobs) {
    if (job.madnis) shares.push({ channel: job.label, sampler: 'madnis-ts', value: job.madnis.share });
    if (job.mg5) shares.push({ channel: job.label, sampler: 'MG5', value: job.mg5.share });
    if (job.madnis) effs.push({ channel: job.label, sampler: 'madnis-ts', value: job.madnis.efficiency_max ?? 0 });
    if (job.mg5?.survey_efficiency != null) effs.push({ channel: job.label, sampler: 'MG5 survey', value: job.mg5.survey_efficiency });
  }
  plots.push({ section: 'channels', svg: await renderSvg(channelBarsSpec('share of σ per MG5 job (madnis-ts channel weights, learned or prior, vs MG5)', 'σ_c / σ', shares, ['madnis-ts', 'MG5'])) });
  plots.push({ section: 'channels', svg: await renderSvg(channelBarsSpec('sampler efficiency per MG5 job (plain maximum)', 'ε_c', effs, ['madnis-ts', 'MG5 survey'])) });
  for (const d of distributions) plots.push({ section: 'distributions', svg: await renderSvg(distributionSpec(d, names)) });

  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), platform: `${process.platform} ${process.arch}` };
  const m = inputs.madnis, b = inputs.baseline;
  const section = (name: string) => plots.filter((p) => p.section === name).map((p) => `<figure>${p.svg}</figure>`).join('\n');
  const jobRows = comparison.jobs.map((job) => [
    esc(job.label), esc(job.madnis_channels.join(', ') || '–'),
    job.madnis ? withError(job.madnis.sigma_pb, job.madnis.error_pb) : '–', pct(job.madnis?.share, 1), pct(job.madnis?.efficiency_max, 2), job.madnis ? count(job.madnis.points) : '–',
    job.mg5 ? withError(job.mg5.sigma_pb, job.mg5.error_pb) : '–', pct(job.mg5?.share, 1), pct(job.mg5?.survey_efficiency, 2), pct(job.mg5?.end_to_end, 2), job.mg5 ? count(job.mg5.points) : '–',
    job.pull === null ? '–' : job.pull.toFixed(2),
  ]);
  const split = comparison.jobs.filter((job) => job.madnis_channels.length > 1);
  const compositionTables = composition.map((k) => `<h3>By ${esc(k.label)}: χ²/ndf = ${k.chi2.toFixed(1)}/${k.ndf}, p = ${k.p.toPrecision(3)}</h3>\n${table(
    ['', 'madnis-ts events', 'share of σ', 'MG5 events', 'share of σ'],
    k.rows.map((r) => [esc(r.category), count(r.madnis.events), `${pct(r.madnis.fraction, 2)} ± ${pct(r.madnis.error, 2)}`, count(r.mg5.events), `${pct(r.mg5.fraction, 2)} ± ${pct(r.mg5.error, 2)}`]),
    'small',
  )}`).join('\n');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(inputs.title)} — madnis-ts vs MG5</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.small td{font-size:.85em}
figure{display:inline-block;margin:.4em;vertical-align:top}pre{background:#f7f7f7;padding:.6em;overflow:auto;font-size:.85em}
dl dt{font-weight:600;margin-top:.5em}.note{color:#555;font-size:.9em}.warning{color:#a00;font-weight:600}
</style></head><body>
<h1>${esc(inputs.title)}</h1>
<p>${inputs.processes.map(esc).join('; ')} — madnis-ts (trained sampler) against MG5's own event generation, same cards, seed ${m.seed}, ${m.threads} thread(s), same machine.</p>
<h2>Headline</h2>
${warnings.map((w) => `<p class="warning">WARNING: ${esc(w)}</p>`).join('\n')}
${table(['', 'madnis-ts', 'MG5', 'madnis-ts / MG5'], headlineRows(comparison))}
<p class="note">VEGAS phase of madnis-ts (its own warm-up, for reference): ε plain max ${pct(comparison.efficiency.vegas_phase?.efficiency_max, 3)}, ≤ ${shareText(comparison.efficiency.sampler_truncated.overweight_share)} overweights ${pct(comparison.efficiency.vegas_phase?.efficiency_truncated, 2)}.</p>
<h2>Definitions</h2>
<dl><dt>End-to-end efficiency</dt><dd>${esc(EFFICIENCY_DEFINITIONS.end_to_end)}</dd>
<dt>Sampler efficiency</dt><dd>${esc(EFFICIENCY_DEFINITIONS.sampler)}</dd>
<dt>Time to N events</dt><dd>${esc(EFFICIENCY_DEFINITIONS.time_to_events)}</dd></dl>
<h2>Training</h2>
${section('training')}
<h2>Channels</h2>
${section('channels')}
<p class="note">MadEvent integrates a diagram and its symmetric copies (configurations that differ by a permutation of identical particles, symfact.dat) in one job; madnis-ts gives every copy a channel and a phase-space map of its own${split.length ? ` (here ${split.map((j) => `${esc(j.label)}: ${j.madnis_channels.length} channels`).join('; ')})` : ''}. The table sums madnis-ts' channels per MG5 job, so that σ compares like for like; ε of a job combines its channels as Σσ_c/Σ(σ_c/ε_c).</p>
${table(['MG5 job', 'madnis-ts channels', 'σ madnis-ts [pb]', 'share', 'ε max', 'points', 'σ MG5 [pb]', 'share', 'ε survey', 'events/points', 'points', 'pull'], jobRows, 'small')}
<h2>Composition</h2>
<p class="note">Share of σ (the events' summed weights) per initial state and per subprocess folder, in both event files; errors √Σw²/Σw. Categories with fewer than 10 events in both files are pooled into one for the χ². A composition that differs (p &lt; ${P_WARNING}) is flagged at the top.</p>
${compositionTables}
<h2>Distributions</h2>
<p class="note">${count(ours.events.length)} madnis-ts events against ${count(theirs.events.length)} MG5 events; dσ/dx normalised to each file's σ; χ² of the normalised shapes over the bins with entries, ndf = bins − 1.</p>
${section('distributions')}
${table(['observable', 'χ²', 'ndf', 'χ²/ndf', 'p'], distributionNumbers.map((d) => [esc(d.label), d.chi2.toFixed(1), String(d.ndf), d.ndf ? (d.chi2 / d.ndf).toFixed(2) : '–', d.p.toPrecision(3)]))}
<h2>Timings</h2>
${table(['step', 'wall time', 'points'], [
    ['madnis-ts training (VEGAS + flow)', seconds(m.training_wall_s), count(m.training_points)],
    ['madnis-ts generation', seconds(m.generation_wall_s), count(m.generation_points)],
    ['MG5 generate_events (survey + refine + combination)', seconds(b.wall_time_s), count(b.points)],
    ['  of which the survey', b.survey_wall_s === undefined ? 'not seen' : seconds(b.survey_wall_s), ''],
  ])}
<h2>Run</h2>
${table(['', ''], [
    ['machine', esc(`${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB, ${machine.platform}`)],
    ['threads', String(m.threads)], ['seed', String(m.seed)],
    ...Object.entries(inputs.versions).map(([k, v]) => [esc(k), esc(v)]),
    ['madnis-ts events', esc(m.events_file)], ['MG5 events', esc(b.events_file)], ['MG5 log', esc(b.log)],
    ...(b.warnings?.length ? [['MG5 job logs not read', b.warnings.map(esc).join('<br>')]] : []),
  ])}
${inputs.cards.map((card) => `<details><summary>${esc(card.name)}</summary><pre>${esc(card.text)}</pre></details>`).join('\n')}
</body></html>
`;
  return {
    comparison,
    distributions: distributionNumbers,
    composition,
    warnings,
    machine,
    plots: plots.length,
    html,
  };
}

export function writeReport(path: string, html: string): void {
  writeFileAtomic(path, html);
}

export function readCards(processDir: string, procCard: string): Array<{ name: string; text: string }> {
  const cards = [{ name: 'proc_card', path: procCard }, { name: 'run_card.dat', path: join(processDir, 'Cards', 'run_card.dat') }, { name: 'param_card.dat', path: join(processDir, 'Cards', 'param_card.dat') }];
  return cards.filter((c) => existsSync(c.path)).map((c) => ({ name: `${c.name} (${c.path})`, text: readFileSync(c.path, 'utf8') }));
}
