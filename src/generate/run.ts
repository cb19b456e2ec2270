/**
 * Event generation: a presample fixes w_max (the smallest value leaving at most a given
 * share of σ in overweights) and σ ± δσ for the <init> block; then batches of points
 * are drawn, unweighted natively, and the accepted events streamed to the LHE file.
 *
 * Two things keep the file an unbiased sample of the process:
 * - composition: the native unweighting returns a batch's accepted events in a random
 *   order, so the last batch, of which only the events still missing are written, gives
 *   every channel (subprocess) its share, not the first channels all of it;
 * - normalisation (MG5's `event_norm average`): an overweight event carries weight factor
 *   f = W/w_max > 1, so the factors sum to more than the number of events; the file is
 *   rewritten at the end with XWGTUP_k = σ·N·f_k/Σf, so the mean weight is σ exactly and
 *   overweights keep their relative weight (as MG5 rescales after its unweighting).
 */
import { rm } from 'node:fs/promises';

import { stringify as toYaml } from 'yaml';

import { LheWriter, type LheHeaderSection } from '../lhe/writer.js';
import type { LheInit } from '../lhe/types.js';
import { mg5BannerSections, mg5ProcessDir } from '../mg5/banner.js';
import { allocatePoints } from '../mc/allocation.js';
import { estimateFromMoments } from '../mc/estimates.js';
import { INTEGRATION_ITERATION, shardIteration, WHOLE_RUN, type Shard } from '../mc/streams.js';
import { ensureDirectory } from '../util/directories.js';
import { isStorageError, UserError } from '../util/errors.js';
import { lheEvent } from './events.js';
import type { ReopenedSampler } from './reopen.js';
import {
  initrwgtText, openScaleVariations, planScaleVariations, summariseVariations, VariationSums, variationIds,
  type ScaleVariationSummary,
} from './scale_variations.js';

export interface GenerateOptions {
  events: number;
  seed: number;
  /** the run folder (Events/run_XX) and the event file in it */
  runDir: string;
  lhePath: string;
  /** points drawn per batch */
  batchPoints: number;
  /** presample size for w_max and σ */
  presamplePoints: number;
  /** overweight share of σ allowed by w_max (with useTrainingMaxWeight: the training's, which fixed its w_max) */
  overweightShare: number;
  /** use the w_max the sampler's own final integration found */
  useTrainingMaxWeight: boolean;
  version: string;
  /** where the scale variations may find the PDF grid (--pdf, --mg5), if the process does not say */
  pdf?: string;
  mg5?: string;
  /** this run's share of the generation's random streams (default: all of them) */
  shard?: Shard;
  onProgress?: (accepted: number, target: number, acceptance: number) => void;
  /** polled between batches: stop early, leaving the clearly named partial file */
  shouldStop?: () => boolean;
}

/** Events written per channel and per part (MadEvent subprocess folder), and their weight. */
export interface Composition {
  channels: Array<{ name: string; part: string; events: number; weight_share: number }>;
  parts: Array<{ name: string; events: number; weight_share: number }>;
  definition: string;
}

export interface Normalisation {
  sigma_pb: number;
  events: number;
  /** Σ of the events' weight factors f_k (1 for an unweighted event, W/w_max for an overweight one; signed) */
  sum_weight_factors: number;
  /** XWGTUP of an event with f = 1: σ·N/Σf */
  unit_weight_pb: number;
  method: string;
}

export interface GenerateResult {
  runDir: string;
  lhePath: string;
  partialPath: string;
  completed: boolean;
  events: number;
  /** the generation batches drawn, from the shard's streams (mc/streams.ts shardIteration) */
  batches: number;
  shard: Shard;
  /** the share of σ w_max leaves in overweights */
  overweight_share: number;
  w_max: number;
  w_max_source: string;
  presample: { points: number; sigma: number; error: number; expected_acceptance: number };
  generation: { points: number; invalid: number; accepted: number; acceptance: number; acceptance_error: number; overweight_events: number; overweight_sigma_share: number; sigma: number; error: number };
  composition: Composition;
  normalisation: Normalisation | null;
  /** the 9-point μ_R/μ_F variations written in <rwgt>, their σ, or why there are none */
  scaleVariations: ScaleVariationSummary;
  timing: { sample_s: number; evaluate_s: number; unweight_s: number; write_s: number; wall_s: number };
}

const NORMALISATION_METHOD =
  "σ of the init block from an independent estimate (the presample, or the training's final integration); every event's XWGTUP = σ·N·f_k/Σf with f_k its weight factor (1, or W/w_max for an overweight event), so that the mean XWGTUP equals that σ exactly (MG5's event_norm average) and overweight events keep their relative weight";

export async function generateEvents(opened: ReopenedSampler, options: GenerateOptions): Promise<GenerateResult> {
  const { file, process: proc, sampler } = opened;
  const info = proc.info;
  if (info.pdg.length === 0) throw new UserError(`${file.process.spec} is a test integrand without particles: it has no events to write`);
  const result = file.result!;
  const active = file.state.active;
  const perBatch = (total: number) => allocatePoints(total, result.counts, active, 0);
  const wall = performance.now();
  const shard = options.shard ?? WHOLE_RUN;

  // Presample: σ for <init>, and w_max unless the training's is used. With the training's
  // w_max and no presample, σ is the training's final integration (fresh points too).
  if (options.presamplePoints === 0 && !options.useTrainingMaxWeight) throw new Error('generate: a presample is needed unless the training\'s w_max is used');
  const presample = options.presamplePoints > 0
    ? await sampler.integrate({ counts: perBatch(options.presamplePoints), seed: options.seed, iteration: INTEGRATION_ITERATION.generatePresample, overweightShare: options.overweightShare })
    : null;
  const estimate = presample ? estimateFromMoments(presample.channels) : { sigma: result.sigma, error: result.error };
  const expectedAcceptance = presample ? presample.efficiency.truncated.acceptance : result.acceptance_truncated;
  const wMax = options.useTrainingMaxWeight || !presample ? result.w_max_truncated : presample.efficiency.truncated.wMax;
  const trainedShare = file.config.integration.overweight_share;
  if (options.useTrainingMaxWeight && options.overweightShare !== trainedShare) {
    throw new Error(`generate: the training's w_max leaves ${trainedShare} of σ in overweights, not ${options.overweightShare}`);
  }
  const wMaxSource = options.useTrainingMaxWeight
    ? `the sampler's final integration (${result.points} points, ≤ ${trainedShare} of σ in overweights)`
    : `presample of ${options.presamplePoints} points, ≤ ${options.overweightShare} of σ in overweights`;
  const sigmaSource = presample
    ? `presample of ${options.presamplePoints} fresh points`
    : `the sampler's final integration (${result.points} fresh points)`;

  const { runDir, lhePath } = options;
  ensureDirectory(runDir);
  const usesPdf = info.usesPdf;
  const init: LheInit = {
    beams: [0, 1].map((b) => ({ pdg: info.beams[b]!.pdg, energy: info.beams[b]!.energy, pdfGroup: 0, pdfSet: usesPdf ? info.pdfLhaid : 0 })) as LheInit['beams'],
    weighting: -4,
    // XMAXUP as MG5 writes it (σ; readers of IDWTUP = −4 files do not use it)
    processes: [{ xsec: estimate.sigma, xerr: estimate.error, xmax: estimate.sigma, id: 1 }],
    generator: { name: 'madnis-ts', version: options.version },
  };
  // scale variations: decided from the process, switched off at the first events if the
  // record lacks the power of α_s
  const plan = planScaleVariations(proc, { pdf: options.pdf, mg5: options.mg5 });
  const variations = openScaleVariations(plan);
  const scaleFactors = variations?.factors() ?? [];
  const ids = variationIds(scaleFactors);
  const sums = new VariationSums(scaleFactors);
  let varied = variations !== undefined;
  const initrwgt = (): LheHeaderSection[] => (varied ? [{ name: 'initrwgt', text: initrwgtText(scaleFactors, plan.pdfLhaid), markup: true }] : []);

  // a launched MG5 process: its cards, as MG5's own event files carry them
  const processDir = mg5ProcessDir(proc);
  const banner = (events: number, normalisation: Normalisation | null): LheHeaderSection[] => [
    ...(processDir ? mg5BannerSections(processDir, { events, seed: options.seed }) : []),
    {
      name: 'MGGenerationInfo',
      text: `#  Number of Events        :       ${events}\n#  Integrated weight (pb)  :       ${estimate.sigma.toExponential(10)}\n` +
        `#  Unit weight (pb)        :       ${(normalisation?.unit_weight_pb ?? estimate.sigma).toExponential(10)}`,
    },
    { name: 'madnis_process', text: JSON.stringify(file.process, null, 1), escape: true },
    {
      name: 'madnis_sampler',
      text: `file: ${opened.path}\nsha256: ${opened.fileSha256}\nseed: ${options.seed}\nshard: ${shard.index}/${shard.count}\ntraining seed: ${file.seed}\nw_max: ${wMax}\nw_max from: ${wMaxSource}`,
      escape: true,
    },
    {
      name: 'madnis_normalisation',
      text: normalisation
        ? `sigma (pb): ${estimate.sigma} +- ${estimate.error}\nsigma from: ${sigmaSource}\nevents: ${normalisation.events}\n` +
          `sum of weight factors: ${normalisation.sum_weight_factors}\nunit weight (pb): ${normalisation.unit_weight_pb}\nmethod: ${normalisation.method}`
        : 'not normalised: this file is incomplete',
      escape: true,
    },
    { name: 'madnis_config', text: toYaml(file.config), escape: true },
    { name: 'madnis_scale_variations', text: `${varied ? 'written in <rwgt> (ids 1-9, <initrwgt>)' : 'not written'}: ${plan.note}`, escape: true },
    ...initrwgt(),
  ];
  const writer = await LheWriter.open(lhePath, banner(options.events, null), init, { staged: true });

  let batches = 0;
  let accepted = 0, drawn = 0, invalid = 0, acceptedAll = 0, overweight = 0, overweightWeight = 0;
  let writeSeconds = 0;
  const timing = { sample_s: 0, evaluate_s: 0, unweight_s: 0 };
  const moments: Array<{ sigma: number; error: number }> = [];
  // the weight factor of every written event, for the final normalisation
  let factors = new Float64Array(Math.min(options.events, 1 << 20));
  const perChannel = info.channels;
  const channelEvents = new Array<number>(perChannel).fill(0), channelWeight = new Array<number>(perChannel).fill(0);
  let completed = false;
  let normalisation: Normalisation | null = null;
  try {
    for (let iteration = 0; accepted < options.events; ++iteration) {
      if (options.shouldStop?.()) break;
      // no more points than the missing events need (at the expected acceptance, 5 % spare):
      // every drawn point counts in the efficiency
      const needed = Math.ceil(((options.events - accepted) / Math.max(expectedAcceptance, 1e-6)) * 1.05);
      const points = Math.min(options.batchPoints, Math.max(4096, needed));
      const batch = await sampler.generate({ counts: perBatch(points), seed: options.seed, iteration: shardIteration(iteration, shard), wMax });
      batches = iteration + 1;
      drawn += batch.drawn;
      invalid += batch.invalid;
      acceptedAll += batch.accepted;
      moments.push(estimateFromMoments(batch.channels));
      timing.sample_s += batch.timing.sampleSeconds;
      timing.evaluate_s += batch.timing.evaluateSeconds;
      timing.unweight_s += batch.timing.unweightSeconds;
      const start = performance.now();
      const written = Math.min(batch.accepted, options.events - accepted);
      let ratios: Float64Array | undefined;
      if (varied && written > 0) {
        const orders = batch.events.qcdOrder.subarray(0, written);
        if (accepted === 0 && orders.some((n) => n < 0)) {
          varied = false;
          plan.note = `the process does not give the power of α_s of its weights (qcdOrder −1): no scale variations written (${plan.note})`;
        } else ratios = await variations!.ratios(batch.events);
      }
      // the batch's events come in a random order: its first ones are a uniform subset
      for (let k = 0; k < batch.accepted && accepted < options.events; ++k, ++accepted) {
        const factor = batch.weightFactor[k]!;
        if (Math.abs(factor) > 1) {
          ++overweight;
          overweightWeight += Math.abs(factor) - 1;
        }
        if (accepted === factors.length) {
          const grown = new Float64Array(Math.min(options.events, 2 * factors.length));
          grown.set(factors);
          factors = grown;
        }
        factors[accepted] = factor;
        const c = batch.channel[k]!;
        channelEvents[c]! += 1;
        channelWeight[c]! += factor;
        const event = lheEvent(batch, k, info, estimate.sigma);
        if (ratios) {
          const own = ratios.subarray(k * ids.length, (k + 1) * ids.length);
          if (own.some((r) => !Number.isFinite(r))) {
            throw new Error(`event ${accepted + 1}: its scale variations cannot be computed from its record (power of α_s ${batch.events.qcdOrder[k]}, x ${batch.events.x1[k]}, ${batch.events.x2[k]}, μ_F ${batch.events.muF[k]})`);
          }
          sums.add(factor, own, 0);
          event.reweights = { ids, factors: own };
        }
        await writer.write(event);
      }
      writeSeconds += (performance.now() - start) / 1000;
      options.onProgress?.(accepted, options.events, acceptedAll / drawn);
      if (batch.accepted === 0 && drawn >= 100 * options.batchPoints) {
        throw new UserError(`no event accepted in ${drawn} points: the sampler finds no phase space passing the cuts`);
      }
    }
    completed = accepted >= options.events;
    if (completed) {
      const start = performance.now();
      let sum = 0;
      for (let k = 0; k < accepted; ++k) sum += factors[k]!;
      const unit = (estimate.sigma * accepted) / sum;
      normalisation = { sigma_pb: estimate.sigma, events: accepted, sum_weight_factors: sum, unit_weight_pb: unit, method: NORMALISATION_METHOD };
      await writer.close({ header: banner(accepted, normalisation), init, weight: (k) => unit * factors[k]! });
      writeSeconds += (performance.now() - start) / 1000;
    } else await writer.abort();
  } catch (error) {
    await writer.abort();
    // a full disk: the partial file is of no use and holds the space the user needs
    if (isStorageError(error)) await rm(writer.partialPath, { force: true });
    throw error;
  }
  // σ from every generation point: batches are independent estimates of equal size
  const sigma = moments.reduce((a, m) => a + m.sigma, 0) / Math.max(1, moments.length);
  const error = Math.sqrt(moments.reduce((a, m) => a + m.error ** 2, 0)) / Math.max(1, moments.length);
  const acceptance = drawn ? acceptedAll / drawn : 0;
  const totalWeight = channelWeight.reduce((a, w) => a + w, 0) || 1;
  const composition: Composition = {
    channels: channelEvents.map((events, c) => ({
      name: proc.channelNames[c]!, part: proc.parts[proc.partOfChannel[c]!]!.name, events, weight_share: channelWeight[c]! / totalWeight,
    })),
    parts: proc.parts.map((part, p) => {
      const channels = proc.partOfChannel.map((q, c) => (q === p ? c : -1)).filter((c) => c >= 0);
      return {
        name: part.name,
        events: channels.reduce((a, c) => a + channelEvents[c]!, 0),
        weight_share: channels.reduce((a, c) => a + channelWeight[c]!, 0) / totalWeight,
      };
    }),
    definition: 'events written per channel the sampler drew them from, and per part (library: MadEvent subprocess folder); weight_share: their share of the sum of weight factors (events counted with their overweight factor), which estimates σ_c/σ',
  };
  return {
    runDir,
    lhePath,
    partialPath: writer.partialPath,
    completed,
    events: accepted,
    batches,
    shard,
    overweight_share: options.overweightShare,
    w_max: wMax,
    w_max_source: wMaxSource,
    presample: { points: options.presamplePoints, sigma: estimate.sigma, error: estimate.error, expected_acceptance: expectedAcceptance },
    generation: {
      points: drawn,
      invalid,
      accepted: acceptedAll,
      acceptance,
      acceptance_error: drawn ? Math.sqrt((acceptance * (1 - acceptance)) / drawn) : 0,
      overweight_events: overweight,
      // the excess weight of overweight events, as a share of all written weight
      overweight_sigma_share: accepted ? overweightWeight / (accepted + overweightWeight) : 0,
      sigma,
      error,
    },
    composition,
    normalisation,
    scaleVariations: summariseVariations(plan, varied ? sums.result(estimate.sigma, estimate.error) : []),
    timing: { ...timing, write_s: writeSeconds, wall_s: (performance.now() - wall) / 1000 },
  };
}
