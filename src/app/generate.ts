/**
 * Use case `generate`: unweighted events from a trained sampler into the next
 * OUT/Events/run_XX/ (MG5's layout), with that run's summary.json. A sampler is either
 * reopened from its file or, in launch, the one just trained (no second load).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { generateEvents, type GenerateResult } from '../generate/run.js';
import { changedProcessError, reopenSampler, type ReopenedSampler } from '../generate/reopen.js';
import { isGridpackPath, openGridpack, type OpenedGridpack } from '../gridpack/open.js';
import type { Shard } from '../mc/streams.js';
import { mg5ProcessDir } from '../mg5/banner.js';
import { processCardsDigest } from '../mg5/launch.js';
import { fileSha256 } from '../train/sampler_file.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import { faultPoint } from '../util/fault.js';
import { count } from '../util/format.js';
import { VERSION } from '../version.js';
import { claimRunDir, eventRunFiles } from './layout.js';
import { withProgress, type Reporter } from './reporter.js';
import type { TrainedSampler } from './train.js';

export interface EventOptions {
  events: number;
  seed: number;
  /** points drawn per batch */
  batch: number;
  /** presample size that fixes w_max and σ (0 with trainingMaxWeight) */
  presample: number;
  /** w_max leaves at most this share of σ in overweights (the training's own with trainingMaxWeight) */
  overweightShare: number;
  /** w_max and σ from the sampler's final integration instead of a presample */
  trainingMaxWeight: boolean;
  /** polled between batches: stop early, leaving the clearly named partial file */
  shouldStop?: () => boolean;
  /** the PDF grid (--pdf) or MG5 installation (--mg5), for the scale variations' densities */
  pdf?: string;
  mg5?: string;
  /** this run's share of the streams (generate --shard i/N) */
  shard?: Shard;
}

export interface GenerateInput extends Omit<EventOptions, 'overweightShare'> {
  /** default: the share the sampler was trained with (one policy for launch and generate) */
  overweightShare?: number;
  /** a sampler file, or a gridpack (.tar.gz from `madnis-ts gridpack`) */
  sampler: string;
  threads: number;
  /** events go to OUT/Events/run_XX (default: the sampler file's folder) */
  out?: string;
  /** use a sampler whose libraries or cards changed since its training (σ and w_max from a presample) */
  acceptChangedProcess?: boolean;
}

/** The sampler just trained, as generation sees a reopened one. */
export function trainedAsOpened(trained: TrainedSampler): ReopenedSampler {
  return { path: trained.path, libraryChanged: false, file: trained.file, fileSha256: fileSha256(trained.path), process: trained.process, sampler: trained.sampler };
}

/**
 * The share of σ the events leave in overweights: the sampler's own (its final integration
 * fixed ε and the training's w_max with it) unless the user asks for another, which needs
 * a presample: the training's w_max belongs to the training's share.
 */
export function eventOverweightShare(opened: ReopenedSampler, input: { overweightShare?: number; trainingMaxWeight: boolean }): number {
  const trained = opened.file.config.integration.overweight_share;
  if (input.overweightShare === undefined) return trained;
  if (input.trainingMaxWeight && input.overweightShare !== trained) {
    throw new UserError(`--training-max-weight uses the w_max the training fixed with --overweight-share ${trained}; drop --training-max-weight to fix w_max for ${input.overweightShare} with a presample`);
  }
  return input.overweightShare;
}

/** Events from an open sampler into the next run folder of `outDir`, claimed for this run. */
export async function generateRun(opened: ReopenedSampler, outDir: string, options: EventOptions, reporter: Reporter): Promise<GenerateResult> {
  const runDir = claimRunDir(outDir);
  return withProgress(reporter, 'generate', 'events', true, (bar) => generateEvents(opened, {
    events: options.events,
    seed: options.seed,
    runDir,
    lhePath: eventRunFiles(runDir).lhe,
    batchPoints: options.batch,
    presamplePoints: options.trainingMaxWeight ? 0 : options.presample,
    overweightShare: options.overweightShare,
    useTrainingMaxWeight: options.trainingMaxWeight,
    version: VERSION,
    pdf: options.pdf,
    mg5: options.mg5,
    shard: options.shard,
    onProgress: (done, target, acceptance) => {
      bar.update(done, target, { phase: 'unweighting', efficiency: acceptance });
      faultPoint('generation');
      // one shard's own point, per attempt (the cluster runner sets MADNIS_SHARD_ATTEMPT)
      if (options.shard) faultPoint(`generation-shard-${options.shard.index}-attempt-${process.env.MADNIS_SHARD_ATTEMPT ?? '1'}`);
    },
    shouldStop: options.shouldStop,
  }));
}

export const OVERWEIGHT_SHARE_DEFINITION =
  'w_max is the smallest weight leaving at most this share of σ in the excess weight of overweight events, Σ(W − w_max)₊ ≤ share·ΣW on the points that fixed it; overweight events are kept with weight factor W/w_max, so σ stays exact';

export function generateSummary(opened: ReopenedSampler, threads: number, seed: number, result: GenerateResult) {
  const g = result.generation;
  return {
    command: 'generate' as const,
    madnis_ts_version: VERSION,
    sampler_file: opened.path,
    sampler_sha256: opened.fileSha256,
    library_changed_since_training: opened.libraryChanged,
    // what the sampler was trained from (launch: cards, seed, threads), so runs can be told apart
    trained_from: opened.file.inputs ?? null,
    process: opened.file.process.spec,
    seed,
    threads,
    completed: result.completed,
    events: result.events,
    // the random streams this run drew from (mc/streams.ts): iterations index + k·count, k < batches
    shard: result.shard,
    generation_batches: result.batches,
    lhe_file: result.completed ? result.lhePath : result.partialPath,
    sigma_pb: result.presample.sigma,
    sigma_error_pb: result.presample.error,
    sigma_source: result.presample.points > 0
      ? `presample of ${result.presample.points} fresh points (the <init> cross section)`
      : "the sampler's final integration (fresh points; the <init> cross section)",
    overweight_share: result.overweight_share,
    overweight_share_definition: OVERWEIGHT_SHARE_DEFINITION,
    w_max: result.w_max,
    w_max_source: result.w_max_source,
    expected_acceptance: result.presample.expected_acceptance,
    measured_acceptance: g.acceptance,
    measured_acceptance_error: g.acceptance_error,
    acceptance_definition: 'accepted events ÷ points drawn, over every generation batch (zero weights included)',
    generation_points: g.points,
    invalid_points: g.invalid,
    accepted_events: g.accepted,
    overweight_events: g.overweight_events,
    overweight_fraction: result.events ? g.overweight_events / result.events : 0,
    overweight_sigma_share: g.overweight_sigma_share,
    generation_sigma_pb: g.sigma,
    generation_sigma_error_pb: g.error,
    normalisation: result.normalisation,
    scale_variations: result.scaleVariations,
    composition: result.composition,
    timing_s: result.timing,
    events_per_second: result.events / result.timing.wall_s,
  };
}

export type GenerateSummary = ReturnType<typeof generateSummary>;

/** Where a generate run's events come from, as its summary records it: the gridpack, if any. */
function gridpackRecord(gridpack: OpenedGridpack | undefined) {
  return gridpack ? { file: gridpack.archive, sha256: gridpack.archiveSha256, id: gridpack.manifest.id } : null;
}

export interface GenerateRun {
  opened: ReopenedSampler;
  result: GenerateResult;
  summary: GenerateSummary & { gridpack: ReturnType<typeof gridpackRecord> };
  summaryPath: string;
}

/**
 * generate from a sampler file or a gridpack. A gridpack is unpacked into a scratch folder
 * of this node (TMPDIR), removed afterwards; its σ and w_max are the sampler's final
 * integration's, as are a shard's: every shard of a run has one normalisation.
 */
export async function generate(input: GenerateInput, reporter: Reporter): Promise<GenerateRun> {
  if (!isGridpackPath(input.sampler)) return generateFrom(input, undefined, reporter);
  if (input.acceptChangedProcess) throw new UserError('a gridpack carries the libraries its sampler was trained on: --accept-changed-process does not apply');
  const scratch = mkdtempSync(join(tmpdir(), 'madnis-gridpack-'));
  try {
    const gridpack = await openGridpack(resolve(input.sampler), scratch);
    return await generateFrom(input, gridpack, reporter);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function generateFrom(input: GenerateInput, gridpack: OpenedGridpack | undefined, reporter: Reporter): Promise<GenerateRun> {
  const samplerPath = gridpack ? gridpack.samplerPath : resolve(input.sampler);
  if (input.acceptChangedProcess && input.trainingMaxWeight) {
    throw new UserError('--accept-changed-process needs w_max and σ of the new integrand: drop --training-max-weight (a presample measures them)');
  }
  if (input.shard && input.acceptChangedProcess) throw new UserError('--shard needs the σ and w_max the sampler was trained with: --accept-changed-process does not apply');
  // shards (and gridpacks) share σ and w_max of the sampler's final integration: one normalisation
  const trainingMaxWeight = input.trainingMaxWeight || input.shard !== undefined || gridpack !== undefined;
  const opened = reopenSampler(samplerPath, input.threads, { pdf: input.pdf, mg5: input.mg5, acceptChangedProcess: input.acceptChangedProcess, processSpec: gridpack?.processSpec });
  // an MG5 process reads its cards at run time too: they must be the ones it was trained with
  const processDir = mg5ProcessDir(opened.process);
  const cardsKey = opened.file.inputs?.cards_key;
  const cardsChanged = processDir !== undefined && cardsKey !== undefined && processCardsDigest(processDir) !== cardsKey;
  if (cardsChanged && !input.acceptChangedProcess) throw changedProcessError(opened.path, `the cards of ${processDir} changed since`);
  if (opened.libraryChanged || cardsChanged) {
    reporter.warn(`${opened.path} was trained on another integrand (${opened.libraryChanged ? 'libraries' : 'cards'} changed): used as a proposal, σ and w_max from a presample; the efficiency may be lower`);
  }
  const overweightShare = eventOverweightShare(opened, { ...input, trainingMaxWeight });
  const outDir = resolve(input.out ?? (gridpack ? dirname(gridpack.archive) : resolve(samplerPath, '..')));
  const result = await generateRun(opened, outDir, { ...input, trainingMaxWeight, overweightShare }, reporter);
  const summary = { ...generateSummary(opened, input.threads, input.seed, result), gridpack: gridpackRecord(gridpack) };
  const summaryPath = eventRunFiles(result.runDir).summary;
  writeJsonAtomic(summaryPath, summary);
  if (!result.completed) {
    throw new UserError(`interrupted after ${count(result.events)} events: the partial file ${result.partialPath} is not a complete run`);
  }
  return { opened, result, summary, summaryPath };
}
