/**
 * Use case `launch`: MG5 generates and compiles the process, madnis-ts builds one process
 * library per subprocess folder, trains the sampler on them (one process, channels
 * concatenated), writes unweighted events, and, unless told not to, runs MG5's own event
 * generation and the comparison report.
 */
import { resolve } from 'node:path';

import { subprocessCrashHint } from '../mg5/build.js';
import { readProcCard, type ProcCard } from '../cards/proc_card.js';
import type { GenerateResult } from '../generate/run.js';
import { prepareProcess, type PreparedProcess } from '../mg5/launch.js';
import { requireMg5, type Mg5Location } from '../mg5/locate.js';
import { loadProcess } from '../process/load.js';
import { librariesSpec } from '../process/spec.js';
import { mg5ChannelLabels, type LaunchSummary } from '../report/launch_report.js';
import { loadTrainConfigWithKeys, type TrainConfig } from '../train/config.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { count } from '../util/format.js';
import { VERSION } from '../version.js';
import { compareWithMg5, runMg5Baseline, type LaunchComparison } from './compare.js';
import { generateRun, trainedAsOpened } from './generate.js';
import { cardName, defaultOutDir, launchLayout, type LaunchLayout } from './layout.js';
import type { Reporter } from './reporter.js';
import { trainSampler, type TrainedSampler } from './train.js';

/** VEGAS points per channel and iteration on MadEvent processes, and the cap per iteration. */
const VEGAS_POINTS_PER_CHANNEL = 5000;
const VEGAS_MAX_POINTS = 2_000_000;

/** Unweighted events are drawn in batches of this many points. */
const LAUNCH_BATCH_POINTS = 65_536;

export interface LaunchInput {
  card: string;
  runCard?: string;
  paramCard?: string;
  config?: string;
  mg5?: string;
  out?: string;
  events: number;
  threads: number;
  seed: number;
  baseline: boolean;
}

export interface LaunchResult {
  layout: LaunchLayout;
  card: ProcCard;
  mg5: Mg5Location;
  prepared: PreparedProcess;
  trained: TrainedSampler;
  events: GenerateResult;
  summary: LaunchSummary;
  comparison?: LaunchComparison;
}

/**
 * What launch changes in the training configuration for MadEvent processes, unless the
 * user's madnis.yaml sets the key; each change comes with a note saying why.
 */
export function launchTrainingPolicy(config: TrainConfig, explicit: Set<string>): string[] {
  const notes: string[] = [];
  // MadEvent's integrand can depend on the channel: its default dynamical scale clusters
  // the event along the channel's own diagram. The multi-channel sum is then only the
  // cross section MG5 reports with MG5's own (prior) channel weights; learned channel
  // weights or dropped channels would integrate something else (seen on W+jj: +6 %).
  const kept: string[] = [];
  if (!explicit.has('channel_weights.enabled')) {
    config.channel_weights.enabled = false;
    kept.push('channel_weights.enabled: false');
  }
  if (!explicit.has('training.drop_threshold')) {
    config.training.drop_threshold = 0;
    kept.push('training.drop_threshold: 0');
  }
  if (kept.length) notes.push(`MG5's channels keep MadEvent's own channel weights (${kept.join(', ')}): its default scale depends on the channel's diagram`);
  return notes;
}

/** MadEvent processes have many channels (W+jj: 36): VEGAS needs a few thousand points per channel and iteration to adapt every grid. */
export function vegasPointsPolicy(config: TrainConfig, explicit: Set<string>, channels: number): string[] {
  const perIteration = Math.max(config.vegas.points_per_iteration, Math.min(VEGAS_MAX_POINTS, VEGAS_POINTS_PER_CHANNEL * channels));
  if (explicit.has('vegas.points_per_iteration') || perIteration <= config.vegas.points_per_iteration) return [];
  config.vegas.points_per_iteration = perIteration;
  return [`${channels} channels: VEGAS draws ${count(perIteration)} points per iteration (${count(VEGAS_POINTS_PER_CHANNEL)} per channel; vegas.points_per_iteration in madnis.yaml overrides)`];
}

export async function launch(input: LaunchInput, reporter: Reporter): Promise<LaunchResult> {
  const card = readProcCard(resolve(input.card));
  const mg5 = requireMg5(input.mg5);
  const { config, explicit } = loadTrainConfigWithKeys(input.config);
  const notes = launchTrainingPolicy(config, explicit);
  const layout = launchLayout(resolve(input.out ?? defaultOutDir('launch', cardName(input.card))));
  const start = performance.now();

  const prepared = await reporter.task(
    'MG5', 'MG5 step failed',
    (onStep) => prepareProcess({ card, mg5, layout, runCard: input.runCard && resolve(input.runCard), paramCard: input.paramCard && resolve(input.paramCard), seed: input.seed, version: VERSION, onStep }),
    (p) => `process ready: ${p.libraries.map((l) => l.library).join(', ')}${p.libraries.every((l) => !l.rebuilt) ? ' (reused)' : ''}`,
  );
  const prepareSeconds = (performance.now() - start) / 1000;
  for (const note of notes) reporter.note(note);

  // one library per subprocess folder; together one process (channels concatenated)
  const loaded = loadProcess(librariesSpec(prepared.libraries.map((l) => l.library)), input.threads, { crashHint: subprocessCrashHint });
  for (const note of vegasPointsPolicy(config, explicit, loaded.info.channels)) reporter.note(note);
  const trained = await trainSampler(loaded, config, input.seed, layout, reporter);

  // w_max and σ from the training's final integration (fresh points of the trained sampler)
  const events = await generateRun(trainedAsOpened(trained), layout.dir, {
    events: input.events, seed: input.seed, batch: LAUNCH_BATCH_POINTS, presample: 0,
    overweightShare: config.integration.overweight_share, trainingMaxWeight: true,
  }, reporter);
  const final = trained.final, progress = trained.progress;
  const summary: LaunchSummary = {
    command: 'launch',
    madnis_ts_version: VERSION,
    proc_card: card.path,
    processes: card.processes,
    mg5: mg5.dir,
    process_dir: prepared.processDir,
    libraries: prepared.libraries.map((l) => l.library),
    channel_labels: mg5ChannelLabels(loaded),
    reused: { mg5_output: prepared.reused.output, mg5_prepare: prepared.reused.prepare, build: prepared.libraries.every((l) => !l.rebuilt) },
    seed: input.seed,
    threads: input.threads,
    config,
    sampler_file: trained.path,
    sigma_pb: final.sigma,
    sigma_error_pb: final.error,
    training: { phases: progress.phases, final, integrand_evaluations: progress.points, invalid_points: progress.invalid, history: progress.history },
    events: {
      file: events.lhePath, count: events.events, w_max: events.w_max, acceptance: events.generation.acceptance,
      presample_sigma_pb: events.presample.sigma, presample_sigma_error_pb: events.presample.error, overweight_events: events.generation.overweight_events,
      // every point the events cost (w_max and σ come from the training's final integration)
      points: events.presample.points + events.generation.points, wall_s: events.timing.wall_s,
      normalisation: events.normalisation, composition: events.composition,
    },
    wall_time_s: { mg5_and_build: prepareSeconds, training: trained.wallSeconds, generation: events.timing.wall_s },
  };
  writeJsonAtomic(layout.summary, summary);
  const result: LaunchResult = { layout, card, mg5, prepared, trained, events, summary };
  if (!input.baseline) return result;

  // MG5's own event generation on a copy of the folder, then the comparison report
  const baseline = await runMg5Baseline(mg5, layout, summary, { events: input.events, seed: input.seed, threads: input.threads }, reporter);
  result.comparison = await compareWithMg5(layout, summary, baseline);
  return result;
}
