/**
 * Merging event runs (the shards of a gridpack or sampler) into one LHE file with one
 * <init>. Runs merge only when they are one run split up: the same sampler and libraries
 * (the gridpack id), the same w_max and σ for their weights (the sampler's final
 * integration: gridpacks, --shard, --training-max-weight), and disjoint random streams
 * (mc/streams.ts). A run that did not complete (no summary, or completed: false) is never
 * merged. The merged σ is the estimate from every shard's generation points; each event
 * keeps its weight factor f (1, or W/w_max for an overweight one) and gets
 * XWGTUP = σ·N·f/Σf, so the mean weight is σ exactly (MG5's event_norm average).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';

import { z } from 'zod';

import { readLhe } from '../lhe/reader.js';
import type { LheEvent, LheInit } from '../lhe/types.js';
import { LheWriter, type LheHeaderSection } from '../lhe/writer.js';
import { shardsOverlap } from '../mc/streams.js';
import { summariseVariations, VariationSums, type ScaleVariationSummary } from './scale_variations.js';
import { setCardValue } from '../mg5/banner.js';
import { UserError } from '../util/errors.js';

const finite = z.number().refine(Number.isFinite);

/** What merging reads of a generate run's summary.json. */
const runSummarySchema = z.looseObject({
  command: z.literal('generate'),
  completed: z.boolean(),
  events: z.number().int(),
  seed: z.number().int(),
  shard: z.object({ index: z.number().int(), count: z.number().int() }),
  generation_batches: z.number().int(),
  sampler_sha256: z.string(),
  gridpack: z.object({ id: z.string(), file: z.string() }).nullable().optional(),
  process: z.string(),
  w_max: finite,
  w_max_source: z.string(),
  sigma_pb: finite,
  overweight_share: finite,
  generation_points: z.number().int(),
  generation_sigma_pb: finite,
  generation_sigma_error_pb: finite,
  normalisation: z.looseObject({ unit_weight_pb: finite, sum_weight_factors: finite }).nullable(),
  scale_variations: z.looseObject({
    computed: z.boolean(),
    note: z.string(),
    variations: z.array(z.looseObject({ id: z.string(), mu_r_factor: finite, mu_f_factor: finite })),
  }).optional(),
});

export type RunSummary = z.infer<typeof runSummarySchema>;

export interface MergeSource {
  /** the run folder (Events/run_XX of a shard) */
  runDir: string;
  summaryPath: string;
  lhePath: string;
}

export interface CheckedRun extends MergeSource {
  summary: RunSummary;
}

/** Reads a run's summary and refuses, in one line, a run that is not a complete, mergeable run. */
export function checkRun(source: MergeSource): CheckedRun {
  if (!existsSync(source.summaryPath)) {
    throw new UserError(`${source.runDir} is not a finished run (no summary.json: still running, or killed): not merged`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(source.summaryPath, 'utf8'));
  } catch {
    throw new UserError(`${source.summaryPath} is not valid JSON: not merged`);
  }
  const parsed = runSummarySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${source.summaryPath} is not the summary of a generate run this madnis-ts can merge (${issue.path.join('.')}: ${issue.message})`);
  }
  const summary = parsed.data;
  if (!summary.completed || !summary.normalisation) {
    throw new UserError(`${source.runDir} was interrupted (summary.json says completed: false): its partial file is never merged`);
  }
  if (!existsSync(source.lhePath)) throw new UserError(`${source.runDir}: its event file ${source.lhePath} is missing: not merged`);
  return { ...source, summary };
}

const identity = (s: RunSummary) => (s.gridpack ? `gridpack ${s.gridpack.id.slice(0, 12)}` : `sampler ${s.sampler_sha256.slice(0, 12)}`);
const shardName = (s: RunSummary) => `seed ${s.seed}, shard ${s.shard.index}/${s.shard.count}`;

/** Refuses runs that are not one run split up: other gridpacks, other normalisation, shared streams. */
export function checkMergeable(runs: CheckedRun[]): void {
  if (runs.length === 0) throw new UserError('merge needs at least one run');
  const first = runs[0]!;
  for (const run of runs.slice(1)) {
    const a = first.summary, b = run.summary;
    if (identity(a) !== identity(b) || a.sampler_sha256 !== b.sampler_sha256) {
      throw new UserError(`${first.runDir} and ${run.runDir} come from different gridpacks (${identity(a)}, ${identity(b)}): only shards of one gridpack merge`);
    }
    if (a.w_max !== b.w_max || a.sigma_pb !== b.sigma_pb || a.overweight_share !== b.overweight_share) {
      throw new UserError(
        `${first.runDir} and ${run.runDir} were unweighted with different w_max (${a.w_max}, ${b.w_max}): only runs with the sampler's own σ and w_max (a gridpack, --shard or --training-max-weight) merge`,
      );
    }
  }
  for (let i = 0; i < runs.length; ++i) {
    for (let j = i + 1; j < runs.length; ++j) {
      const a = runs[i]!.summary, b = runs[j]!.summary;
      if (a.seed !== b.seed) continue;
      const disjoint = a.shard.count === b.shard.count && a.shard.index !== b.shard.index;
      if (!disjoint && shardsOverlap({ ...a.shard, batches: a.generation_batches }, { ...b.shard, batches: b.generation_batches })) {
        throw new UserError(`${runs[i]!.runDir} and ${runs[j]!.runDir} drew from the same random streams (${shardName(a)}; ${shardName(b)}): their events would repeat; give each shard its own --shard i/N or seed`);
      }
    }
  }
}

/** σ from every shard's generation points, each shard's estimate weighted by its points. */
export function mergedSigma(runs: RunSummary[]): { sigma: number; error: number; points: number } {
  const points = runs.reduce((a, r) => a + r.generation_points, 0);
  const sigma = runs.reduce((a, r) => a + r.generation_points * r.generation_sigma_pb, 0) / points;
  const error = Math.sqrt(runs.reduce((a, r) => a + (r.generation_points * r.generation_sigma_error_pb) ** 2, 0)) / points;
  return { sigma, error, points };
}

/** MG5's banner blocks (cards) of a shard's header, carried into the merged file. */
const MG5_SECTIONS = ['MGVersion', 'MG5ProcCard', 'MGProcCard', 'MGRunCard', 'slha'];

function mg5Sections(header: string, events: number): LheHeaderSection[] {
  const sections: LheHeaderSection[] = [];
  for (const name of MG5_SECTIONS) {
    const match = new RegExp(`<${name}>\\n([\\s\\S]*?)</${name}>`).exec(header);
    if (!match) continue;
    let text = match[1]!.replace(/^<!\[CDATA\[\n/, '').replace(/\n\]\]>\n?$/, '\n');
    if (name === 'MGRunCard') text = setCardValue(text, 'nevents', String(events));
    sections.push({ name, text });
  }
  return sections;
}

export interface MergeResult {
  events: number;
  sigma_pb: number;
  sigma_error_pb: number;
  sigma_points: number;
  sum_weight_factors: number;
  unit_weight_pb: number;
  shards: Array<{ run: string; seed: number; shard: string; events: number; generation_sigma_pb: number; generation_sigma_error_pb: number }>;
  /** the 9-point μ_R/μ_F variations of the merged events (their <rwgt> weights, kept), or why there are none */
  scale_variations: ScaleVariationSummary;
}

export const MERGE_NORMALISATION =
  'every event keeps its weight factor f (its XWGTUP over its shard\'s unit weight) and gets XWGTUP = sigma*N*f/sum(f), so the mean weight is sigma exactly';

/** The header's <initrwgt> block (the weights' declaration), written again verbatim. */
function initrwgtSection(header: string): LheHeaderSection[] {
  const match = /<initrwgt>\n?([\s\S]*?)\n?<\/initrwgt>/.exec(header);
  return match ? [{ name: 'initrwgt', text: match[1]!, markup: true }] : [];
}

export async function mergeRuns(runs: CheckedRun[], lhePath: string, version: string): Promise<MergeResult> {
  checkMergeable(runs);
  const summaries = runs.map((r) => r.summary);
  const { sigma, error, points } = mergedSigma(summaries);
  const events = summaries.reduce((a, s) => a + s.events, 0);
  const shards = runs.map((r) => ({
    run: r.runDir, seed: r.summary.seed, shard: `${r.summary.shard.index}/${r.summary.shard.count}`, events: r.summary.events,
    generation_sigma_pb: r.summary.generation_sigma_pb, generation_sigma_error_pb: r.summary.generation_sigma_error_pb,
  }));
  let init: LheInit | undefined, firstHeader = '';
  const factors = new Float64Array(events);
  // the shards' <rwgt> weights are kept; their σ are recomputed from all the merged events
  const varied = summaries[0]!.scale_variations?.computed === true ? summaries[0]!.scale_variations : undefined;
  const sums = varied ? new VariationSums(varied.variations.map((v) => ({ muR: v.mu_r_factor, muF: v.mu_f_factor }))) : undefined;
  const ids = varied?.variations.map((v) => v.id).join(' ');
  let written = 0, writer: LheWriter | undefined;
  const header = (unit: number | null, sum: number | null): LheHeaderSection[] => [
    ...mg5Sections(firstHeader, events),
    {
      name: 'MGGenerationInfo',
      text: `#  Number of Events        :       ${events}\n#  Integrated weight (pb)  :       ${sigma.toExponential(10)}\n#  Unit weight (pb)        :       ${(unit ?? sigma).toExponential(10)}`,
    },
    {
      name: 'madnis_merge',
      text: `${runs.length} shards of ${identity(summaries[0]!)} (process ${summaries[0]!.process}), w_max ${summaries[0]!.w_max} (${summaries[0]!.w_max_source})\n` +
        shards.map((s) => `${s.run}: ${s.events} events, seed ${s.seed}, shard ${s.shard}, generation sigma ${s.generation_sigma_pb} +- ${s.generation_sigma_error_pb} pb`).join('\n'),
      escape: true,
    },
    ...initrwgtSection(firstHeader),
    {
      name: 'madnis_normalisation',
      text: unit === null
        ? 'not normalised: this file is incomplete'
        : `sigma (pb): ${sigma} +- ${error}\nsigma from: the generation points of all shards (${points}), each shard's estimate weighted by its points\nevents: ${events}\n` +
          `sum of weight factors: ${sum}\nunit weight (pb): ${unit}\nmethod: ${MERGE_NORMALISATION}`,
      escape: true,
    },
  ];
  try {
    for (const run of runs) {
      const batch: LheEvent[] = [];
      if ((run.summary.scale_variations?.computed === true) !== Boolean(varied)) {
        throw new UserError(`${run.runDir} ${varied ? 'has no' : 'has'} scale-variation weights, unlike ${runs[0]!.runDir}: not merged`);
      }
      const read = await readLhe(run.lhePath, (event) => { batch.push(event); }, undefined, { extras: true });
      if (read.events !== run.summary.events) throw new UserError(`${run.lhePath} holds ${read.events} events, its summary ${run.summary.events}: not merged`);
      if (!writer) {
        firstHeader = read.header;
        init = { ...read.init, processes: [{ ...read.init.processes[0]!, xsec: sigma, xerr: error, xmax: sigma }] };
        writer = await LheWriter.open(lhePath, header(null, null), init, { staged: true });
      }
      const unit = run.summary.normalisation!.unit_weight_pb;
      for (const event of batch) {
        const factor = event.weight / unit;
        factors[written++] = factor;
        if (sums) {
          if (event.reweights?.ids.join(' ') !== ids) throw new UserError(`${run.lhePath}: an event's <rwgt> weights are not the ids ${ids} its summary declares: not merged`);
          sums.add(factor, event.reweights!.factors, 0);
        }
        await writer.write({ ...event, weight: factor });
      }
    }
    let sum = 0;
    for (let k = 0; k < written; ++k) sum += factors[k]!;
    const unit = (sigma * written) / sum;
    await writer!.close({ header: header(unit, sum), init: init!, weight: (k) => unit * factors[k]! });
    const scaleVariations = summariseVariations(
      { computed: Boolean(varied), note: summaries[0]!.scale_variations?.note ?? 'not recorded by the shards' },
      sums ? sums.result(sigma, error) : [],
    );
    return { events: written, sigma_pb: sigma, sigma_error_pb: error, sigma_points: points, sum_weight_factors: sum, unit_weight_pb: unit, shards, scale_variations: scaleVariations };
  } catch (error) {
    await writer?.abort();
    if (writer) rmSync(writer.partialPath, { force: true });
    throw error;
  }
}
