/**
 * report.html: one self-contained page (inline SVG plots, inline CSS, no script, no
 * network) with every number of the comparison; summary.json gets the same numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { count, percent, seconds, withError } from '../cli/format.js';
import { readLhe } from '../lhe/reader.js';
import type { LheEvent } from '../lhe/types.js';
import type { BaselineResult } from '../mg5/baseline.js';
import type { TrainingHistory } from '../train/schedule.js';
import { writeFileAtomic } from '../util/atomic_write.js';
import { compare, EFFICIENCY_DEFINITIONS, type Comparison, type MadnisSide } from './compare.js';
import { chooseObservables, compareSamples, fillSample, type Comparison as Distribution } from './observables.js';
import { channelBarsSpec, curveSpec, distributionSpec, renderSvg, type ChannelBar, type CurvePoint } from './plots.js';

export interface ReportInputs {
  title: string;
  processes: string[];
  cards: Array<{ name: string; text: string }>;
  madnis: MadnisSide & { events_file: string; seed: number; threads: number; history: TrainingHistory };
  baseline: BaselineResult;
  versions: Record<string, string>;
}

export interface ReportResult {
  comparison: Comparison;
  distributions: Array<{ id: string; label: string; chi2: number; ndf: number }>;
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

/** The headline rows, shared by the report and the terminal summary. */
export function headlineRows(c: Comparison): string[][] {
  const e = c.efficiency;
  return [
    ['σ [pb]', withError(c.sigma.madnis_pb, c.sigma.madnis_error_pb), withError(c.sigma.mg5_pb, c.sigma.mg5_error_pb), `pull ${c.sigma.pull.toFixed(2)}`],
    ['unweighted events', count(c.events.madnis), count(c.events.mg5), ''],
    ['end-to-end efficiency', `${pct(e.end_to_end.madnis, 3)} (${count(e.end_to_end.madnis_points)} points)`, `${pct(e.end_to_end.mg5, 3)} (${count(e.end_to_end.mg5_points)} points)`, ratio(e.end_to_end.ratio)],
    ['sampler ε, plain max, per channel Σσ_c/Σ(σ_c/ε_c)', `${pct(e.sampler_channels.madnis, 3)} (${count(e.sampler_max.madnis_points)} points)`, `${pct(e.sampler_channels.mg5, 3)} (survey logs)`, ratio(e.sampler_channels.ratio)],
    ['sampler ε, plain max, one w_max', `${pct(e.sampler_max.madnis, 3)} (${count(e.sampler_max.madnis_points)} points)`, '–', '–'],
    ['sampler ε, ≤ 1 % overweights', `${pct(e.sampler_truncated.madnis, 2)} (${count(e.sampler_truncated.madnis_points)} points)`, 'not in MG5\'s logs', '–'],
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
  const comparison = compare(inputs.madnis, inputs.baseline);
  const [ours, theirs] = await Promise.all([readEvents(inputs.madnis.events_file), readEvents(inputs.baseline.events_file)]);
  const finalState = (ours.events[0] ?? theirs.events[0])?.particles.filter((p) => p.status === 1).map((p) => p.pdg) ?? [];
  const observables = chooseObservables(finalState);
  const distributions: Distribution[] = compareSamples(
    observables,
    fillSample(ours.events, observables, ours.sigma),
    fillSample(theirs.events, observables, theirs.sigma),
  );
  const names = { a: 'madnis-ts', b: 'MG5' };

  const plots: Array<{ section: string; svg: string }> = [];
  const c = curves(inputs.madnis.history);
  if (c.loss.length) plots.push({ section: 'training', svg: await renderSvg(curveSpec('training loss', 'loss', c.loss, { log: c.loss.every((p) => p.value > 0) })) });
  plots.push({ section: 'training', svg: await renderSvg(curveSpec('σ per step', 'σ [pb]', c.sigma, { reference: { value: comparison.sigma.mg5_pb, label: 'MG5' } })) });
  plots.push({ section: 'training', svg: await renderSvg(curveSpec('unweighting efficiency per step (≤ 1 % overweights)', 'ε', c.eff)) });
  const shares: ChannelBar[] = [], effs: ChannelBar[] = [];
  for (const ch of comparison.channels) {
    shares.push({ channel: ch.label, sampler: 'madnis-ts', value: ch.madnis.share });
    if (ch.mg5) shares.push({ channel: ch.label, sampler: 'MG5', value: ch.mg5.share });
    effs.push({ channel: ch.label, sampler: 'madnis-ts', value: ch.madnis.efficiency_max ?? 0 });
    if (ch.mg5?.survey_efficiency != null) effs.push({ channel: ch.label, sampler: 'MG5 survey', value: ch.mg5.survey_efficiency });
  }
  plots.push({ section: 'channels', svg: await renderSvg(channelBarsSpec('share of σ per channel (madnis-ts channel weights, learned or prior, vs MG5)', 'σ_c / σ', shares, ['madnis-ts', 'MG5'])) });
  plots.push({ section: 'channels', svg: await renderSvg(channelBarsSpec('sampler efficiency per channel (plain maximum)', 'ε_c', effs, ['madnis-ts', 'MG5 survey'])) });
  for (const d of distributions) plots.push({ section: 'distributions', svg: await renderSvg(distributionSpec(d, names)) });

  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), platform: `${process.platform} ${process.arch}` };
  const m = inputs.madnis, b = inputs.baseline;
  const section = (name: string) => plots.filter((p) => p.section === name).map((p) => `<figure>${p.svg}</figure>`).join('\n');
  const channelRows = comparison.channels.map((ch) => [
    esc(ch.label),
    withError(ch.madnis.sigma_pb, ch.madnis.error_pb), pct(ch.madnis.share, 1), pct(ch.madnis.efficiency_max, 2), pct(ch.madnis.efficiency_truncated, 1), count(ch.madnis.points),
    ch.mg5 ? withError(ch.mg5.sigma_pb, ch.mg5.error_pb) : '–', ch.mg5 ? pct(ch.mg5.share, 1) : '–', pct(ch.mg5?.survey_efficiency, 2), pct(ch.mg5?.end_to_end, 2), ch.mg5 ? count(ch.mg5.points) : '–',
  ]);
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
${sigmaWarning(comparison) ? `<p class="warning">WARNING: ${esc(sigmaWarning(comparison)!)}</p>` : ''}
${table(['', 'madnis-ts', 'MG5', 'madnis-ts / MG5'], headlineRows(comparison))}
<p class="note">VEGAS phase of madnis-ts (its own warm-up, for reference): ε plain max ${pct(comparison.efficiency.vegas_phase?.efficiency_max, 3)}, ≤ 1 % overweights ${pct(comparison.efficiency.vegas_phase?.efficiency_truncated, 2)}.</p>
<h2>Definitions</h2>
<dl><dt>End-to-end efficiency</dt><dd>${esc(EFFICIENCY_DEFINITIONS.end_to_end)}</dd>
<dt>Sampler efficiency</dt><dd>${esc(EFFICIENCY_DEFINITIONS.sampler)}</dd>
<dt>Time to N events</dt><dd>${esc(EFFICIENCY_DEFINITIONS.time_to_events)}</dd></dl>
<h2>Training</h2>
${section('training')}
<h2>Channels</h2>
${section('channels')}
${table(['channel', 'σ_c madnis-ts [pb]', 'share', 'ε max', 'ε ≤1 %', 'points', 'σ_c MG5 [pb]', 'share', 'ε survey', 'events/points', 'points'], channelRows, 'small')}
<h2>Distributions</h2>
<p class="note">${count(ours.events.length)} madnis-ts events against ${count(theirs.events.length)} MG5 events; dσ/dx normalised to each file's σ; χ² of the normalised shapes over the bins with entries, ndf = bins − 1.</p>
${section('distributions')}
${table(['observable', 'χ²', 'ndf', 'χ²/ndf'], distributions.map((d) => [esc(d.label), d.chi2.toFixed(1), String(d.ndf), d.ndf ? (d.chi2 / d.ndf).toFixed(2) : '–']))}
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
    distributions: distributions.map((d) => ({ id: d.id, label: d.label, chi2: d.chi2, ndf: d.ndf })),
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
