/**
 * Use case `launch`: MG5 generates and compiles the process, madnis-ts builds one process
 * library per subprocess folder, trains the sampler on them (one process, channels
 * concatenated), writes unweighted events, and, unless told not to, runs MG5's own event
 * generation and the comparison report.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { subprocessCrashHint } from '../mg5/build.js';
import { clusteringIsChannelIndependent, SCALE_DEFINITION, sdeStrategy } from '../mg5/clustering.js';
import { readProcCard, type ProcCard } from '../cards/proc_card.js';
import type { GenerateResult } from '../generate/run.js';
import { parseCardSetting, type CardSetting } from '../mg5/card_settings.js';
import { prepareProcess, requireMadEventFolder, runCardValue, type PreparedCards, type PreparedProcess } from '../mg5/launch.js';
import { requireMg5, type Mg5Location } from '../mg5/locate.js';
import { loadProcess, type LoadedProcess } from '../process/load.js';
import { librariesSpec } from '../process/spec.js';
import { mg5ChannelLabels, type LaunchSummary } from '../report/launch_report.js';
import { loadTrainConfigWithKeys, type TrainConfig } from '../train/config.js';
import { flowCount } from '../train/schedule.js';
import { processIdentity, type ProcessIdentity, type TrainingInputs } from '../train/sampler_file.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { childGroups, killGroups } from '../util/child_groups.js';
import { UserError } from '../util/errors.js';
import { count, percent } from '../util/format.js';
import { acquireRunLock, type RunLock } from '../util/run_lock.js';
import { clearStamp, digest, stampMismatch, writeStamp } from '../util/stamp.js';
import { VERSION } from '../version.js';
import { clusterGenerate, clusterGenerateResult, type ClusterEngine, type ClusterRun } from './cluster_generate.js';
import { compareWithMg5, runMg5Baseline, type LaunchComparison } from './compare.js';
import { generateRun, trainedAsOpened } from './generate.js';
import { cardName, defaultOutDir, launchLayout, type LaunchLayout } from './layout.js';
import type { Reporter } from './reporter.js';
import { readResume, reuseTrainedSampler, trainSampler, type Resume, type TrainedSampler } from './train.js';

/** VEGAS points per channel and iteration on MadEvent processes, and the cap per iteration. */
const VEGAS_POINTS_PER_CHANNEL = 5000;
const VEGAS_MAX_POINTS = 2_000_000;

export const DEFAULT_LAUNCH_EVENTS = 10_000;

/** Unweighted events are drawn in batches of this many points. */
const LAUNCH_BATCH_POINTS = 65_536;

export interface LaunchInput {
  /** the process card, or */
  card?: string;
  /** a MadEvent folder written by MG5's `output madnis`: launched with its own cards and madnis.yaml */
  processDir?: string;
  runCard?: string;
  paramCard?: string;
  config?: string;
  mg5?: string;
  out?: string;
  /** default: the run card's nevents with processDir, else DEFAULT_LAUNCH_EVENTS */
  events?: number;
  threads: number;
  seed: number;
  baseline: boolean;
  /** MG5 `set` commands as KEY=VALUE (after madnis.yaml's cards.set) */
  set?: string[];
  /** continue the training of an interrupted launch from its checkpoint */
  resume?: boolean;
  /** overrides madnis.yaml's integration.overweight_share: the final integration's w_max, hence the events' */
  overweightShare?: number;
  /** generate the events as shards on a batch cluster (a gridpack of the trained sampler), then merge */
  cluster?: { engine: ClusterEngine; jobs: number; retries: number; pollSeconds: number };
}

/** Where a launch is, for a signal handler: what to stop and what to write. */
export interface LaunchControl {
  stage: 'starting' | 'MG5 and build' | 'training' | 'generation' | 'baseline' | 'report' | 'done';
  layout?: LaunchLayout;
  lock?: RunLock;
  /** cancels the job arrays a cluster generation submitted (synchronously) */
  cancelJobs?: () => void;
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
 * user's madnis.yaml sets the key; each change comes with a note saying why. `runCard`:
 * the launched folder's run card.
 */
export function launchTrainingPolicy(config: TrainConfig, explicit: Set<string>, runCard: string, baseline = true): string[] {
  const notes: string[] = [];
  // MadEvent clusters its dynamical scale along the channel's own diagram, so its f depends
  // on the channel, and only MadEvent's own (prior) channel weights add up to its σ. The
  // libraries cluster along a config picked from the momenta (mg5/clustering.ts), which
  // makes f one function, and the baseline gets the same definition: learned channel
  // weights and channel dropping are then exact. Not with matching (ickkw > 0): its Sudakov
  // weight clusters along the channel again.
  const independent = clusteringIsChannelIndependent(runCard);
  // The prior is AMP2's (sde_strategy 1's) also where the card has sde_strategy 2 (see
  // libraryParams): 2's propagator denominators alone left p p > e+ e- j heavy-tailed, 4 %
  // low against the AMP2 prior's 253.4 ± 0.5 pb (and MG5's own sde_strategy 2 run with it).
  const sde = sdeStrategy(runCard);
  const kept: string[] = [];
  if (!independent && !explicit.has('channel_weights.enabled')) {
    config.channel_weights.enabled = false;
    kept.push('channel_weights.enabled: false');
  }
  if (!independent && !explicit.has('training.drop_threshold')) {
    config.training.drop_threshold = 0;
    kept.push('training.drop_threshold: 0');
  }
  const scaleNote =
    `MG5's scale is clustered along the config with MadEvent's largest prior at each event, not along the channel's diagram${baseline ? ' (in the MG5 baseline too)' : ''}: one integrand for all channels`;
  const prior = sde === 1
    ? "MadEvent's prior (sde_strategy 1)"
    : `the AMP2 prior of sde_strategy 1 (the card's sde_strategy ${sde} prior, propagator denominators alone, left p p > e+ e- j heavy-tailed and its σ 4 % low, MG5's own run's too)`;
  if (!independent) {
    if (config.channel_weights.enabled || config.training.drop_threshold > 0) {
      throw new UserError("with matching (ickkw > 0) MadEvent's weight depends on the channel's diagram: learned channel weights and channel dropping would integrate something else than MG5; remove channel_weights.enabled and training.drop_threshold from madnis.yaml");
    }
    if (kept.length) notes.push(`MG5's channels keep MadEvent's own channel weights (${kept.join(', ')}): with matching (ickkw > 0) MadEvent's weight depends on the channel's diagram`);
  } else if (!config.channel_weights.enabled) {
    notes.push(`${scaleNote}; the channel weights are ${prior}, as madnis.yaml asks`);
  } else {
    const bound = config.channel_weights.max_log_ratio;
    notes.push(
      `${scaleNote}; the channel weights are learned from ${prior}, ${bound === null ? 'without bound' : `within a factor e^±${+(2 * bound).toFixed(3)} of it`}` +
        (config.training.drop_threshold > 0 ? `, and channels below ${config.training.drop_threshold} of σ are dropped` : '; channels are not dropped') +
        " (channel_weights.enabled: false in madnis.yaml keeps the prior)",
    );
  }
  return notes;
}

/**
 * The libraries' own create parameters beyond dir=:
 * - every subprocess of the folder per point, or one drawn (subprocess=sample) where
 *   madnis.yaml asks (cards.subprocesses);
 * - on a card with sde_strategy 2 (and one integrand for all channels) the prior is AMP2's,
 *   as sde_strategy 1 builds it (prior=amp2): it follows the diagrams the channels' maps are
 *   built from, where 2's propagator denominators alone left p p > e+ e- j heavy-tailed
 *   (relative std 1.8 → 1.1 and ε 5 → 21 % with learned weights, σ 243.1 ± 0.8 → 253.4 ±
 *   0.5 pb; uniform points 238.8 ± 3.5 → 254.5 ± 0.9). The scale keeps the card's
 *   definition; with matching MadEvent's own weights stay.
 */
export function libraryParams(config: TrainConfig, runCard: string): string {
  const prior = clusteringIsChannelIndependent(runCard) && sdeStrategy(runCard) !== 1 ? '&prior=amp2' : '';
  return `${prior}&subprocess=${config.cards.subprocesses}`;
}

/** MadEvent processes have many channels (W+jj: 36): VEGAS needs a few thousand points per channel and iteration to adapt every grid. */
export function vegasPointsPolicy(config: TrainConfig, explicit: Set<string>, channels: number): string[] {
  const perIteration = Math.max(config.vegas.points_per_iteration, Math.min(VEGAS_MAX_POINTS, VEGAS_POINTS_PER_CHANNEL * channels));
  if (explicit.has('vegas.points_per_iteration') || perIteration <= config.vegas.points_per_iteration) return [];
  config.vegas.points_per_iteration = perIteration;
  return [`${channels} channels: VEGAS draws ${count(perIteration)} points per iteration (${count(VEGAS_POINTS_PER_CHANNEL)} per channel; vegas.points_per_iteration in madnis.yaml overrides)`];
}

/** The card settings of a launch: madnis.yaml's cards.set, then --set (the later wins, as in MG5). */
function cardSettings(config: TrainConfig, configPath: string | undefined, set: string[] = []): CardSetting[] {
  const fromYaml = Object.entries(config.cards.set).map(([key, value]) => parseCardSetting(`${key}=${String(value)}`, `${configPath}: cards.set:`));
  return [...fromYaml, ...set.map((text) => parseCardSetting(text, '--set'))];
}

/**
 * Stops a launch on a signal: MG5 and what it started, a summary.json that says the launch
 * is incomplete and how to go on, and the folder's lock. Returns that advice.
 */
export function stopLaunch(control: LaunchControl, signal: NodeJS.Signals): string {
  killGroups(childGroups(), 'SIGTERM');
  control.cancelJobs?.();
  const layout = control.layout;
  const checkpoint = layout !== undefined && existsSync(layout.checkpoint);
  const advice = `launch stopped by ${signal} during ${control.stage}: rerun the same command${checkpoint ? ' with --resume (the training goes on from its last checkpoint)' : ''}; finished steps are reused`;
  if (layout && control.stage !== 'done') {
    writeJsonAtomic(layout.summary, { command: 'launch', madnis_ts_version: VERSION, completed: false, stopped: { stage: control.stage, signal }, advice });
  }
  control.lock?.release();
  return advice;
}

/**
 * What `launch --process-dir DIR` launches: DIR's process card and madnis.yaml, the run
 * card's nevents, madnis-ts's files in DIR/madnis/ and the events in DIR/Events/.
 */
function givenFolderInput(input: LaunchInput): { input: LaunchInput & { events: number }; layout: LaunchLayout; cardPath: string } {
  if (input.card) throw new UserError('launch: give a process card or --process-dir DIR, not both');
  if (input.out) throw new UserError('launch --process-dir DIR writes into DIR/madnis and DIR/Events: drop --out');
  const dir = resolve(input.processDir!);
  requireMadEventFolder(dir);
  const yaml = join(dir, 'madnis.yaml');
  const nevents = runCardValue(readFileSync(join(dir, 'Cards', 'run_card.dat'), 'utf8'), 'nevents');
  const events = input.events ?? (nevents && /^\d+$/.test(nevents) && Number(nevents) > 0 ? Number(nevents) : DEFAULT_LAUNCH_EVENTS);
  return {
    input: { ...input, events, config: input.config ?? (existsSync(yaml) ? yaml : undefined) },
    layout: launchLayout(join(dir, 'madnis'), dir),
    cardPath: join(dir, 'Cards', 'proc_card_mg5.dat'),
  };
}

export async function launch(given: LaunchInput, reporter: Reporter, control: LaunchControl = { stage: 'starting' }): Promise<LaunchResult> {
  if (!given.card && !given.processDir) throw new UserError('launch: give a process card (or --process-dir DIR, a folder of MG5\'s output madnis)');
  const folder = given.processDir ? givenFolderInput(given) : undefined;
  const input: LaunchInput & { events: number } = folder?.input ?? { ...given, events: given.events ?? DEFAULT_LAUNCH_EVENTS };
  const card = readProcCard(folder?.cardPath ?? resolve(input.card!));
  const mg5 = requireMg5(input.mg5);
  const { config, explicit } = loadTrainConfigWithKeys(input.config);
  if (input.overweightShare !== undefined) config.integration.overweight_share = input.overweightShare;
  const settings = cardSettings(config, input.config, input.set);
  const layout = folder?.layout ?? launchLayout(resolve(input.out ?? defaultOutDir('launch', cardName(input.card!))));
  control.layout = layout;
  const lock = acquireRunLock(layout.lock, 'launch');
  control.lock = lock;
  try {
    if (lock.tookOver) reporter.note(`${lock.tookOver}: its unfinished steps are redone`);
    const result = await launchLocked(input, reporter, control, { card, mg5, config, explicit, settings, layout });
    control.stage = 'done';
    return result;
  } finally {
    lock.release();
  }
}

interface LaunchPlan {
  card: ProcCard;
  mg5: Mg5Location;
  config: TrainConfig;
  explicit: Set<string>;
  settings: CardSetting[];
  layout: LaunchLayout;
}

async function launchLocked(input: LaunchInput & { events: number }, reporter: Reporter, control: LaunchControl, plan: LaunchPlan): Promise<LaunchResult> {
  const { card, mg5, config, explicit, settings, layout } = plan;
  // what an earlier launch here concluded no longer describes this one
  rmSync(layout.summary, { force: true });
  rmSync(layout.report, { force: true });
  const start = performance.now();

  control.stage = 'MG5 and build';
  const prepared = await reporter.task(
    'MG5', 'MG5 step failed',
    (onStep) => prepareProcess({
      card, mg5, layout, runCard: input.runCard && resolve(input.runCard), paramCard: input.paramCard && resolve(input.paramCard), settings, seed: input.seed, version: VERSION,
      outputGiven: input.processDir !== undefined, onStep,
    }),
    (p) => `process ready: ${p.libraries.map((l) => l.library).join(', ')}${p.libraries.every((l) => !l.rebuilt) ? ' (reused)' : ''}`,
  );
  const prepareSeconds = (performance.now() - start) / 1000;
  for (const why of prepared.redone) reporter.note(why);
  const runCard = readFileSync(join(prepared.processDir, 'Cards', 'run_card.dat'), 'utf8');
  for (const note of launchTrainingPolicy(config, explicit, runCard, input.baseline)) reporter.note(note);

  // one library per subprocess folder; together one process (channels concatenated)
  const params = libraryParams(config, runCard);
  const loaded = loadProcess(librariesSpec(prepared.libraries.map((l) => ({ path: l.library, params: `dir=${l.folder}${params}` }))), input.threads, { crashHint: subprocessCrashHint });
  for (const note of vegasPointsPolicy(config, explicit, loaded.info.channels)) reporter.note(note);

  control.stage = 'training';
  const identity = processIdentity(loaded);
  const inputs = trainingInputs(prepared.cards, identity.library_sha256, config, input.seed, input.threads, input.events);
  const { trained, reused: reusedSampler } = await trainOrReuse(loaded, identity, inputs, config, input, layout, reporter);

  control.stage = 'generation';
  // w_max and σ from the training's final integration (fresh points of the trained sampler)
  const { events, cluster } = input.cluster
    ? await clusterEvents(trained, input, layout, control, reporter)
    : {
      events: await generateRun(trainedAsOpened(trained), layout.eventsDir, {
        events: input.events, seed: input.seed, batch: LAUNCH_BATCH_POINTS, presample: 0,
        overweightShare: config.integration.overweight_share, trainingMaxWeight: true,
      }, reporter),
      cluster: undefined,
    };
  const final = trained.final, progress = trained.progress;
  const summary: LaunchSummary = {
    command: 'launch',
    completed: true,
    madnis_ts_version: VERSION,
    proc_card: card.path,
    processes: card.processes,
    mg5: mg5.dir,
    process_dir: prepared.processDir,
    libraries: prepared.libraries.map((l) => l.library),
    // what `integrate` / `train` take to evaluate this process: each library with its MadEvent folder
    process_spec: loaded.spec.spec,
    channel_labels: mg5ChannelLabels(loaded),
    scale_definition: SCALE_DEFINITION,
    inputs: { ...inputs, libraries_sha256: identity.library_sha256 },
    reused: {
      mg5_output: prepared.reused.output, mg5_prepare: prepared.reused.prepare, build: prepared.libraries.every((l) => !l.rebuilt), sampler: reusedSampler,
    },
    seed: input.seed,
    threads: input.threads,
    config,
    sampler_file: trained.path,
    sigma_pb: final.sigma,
    sigma_error_pb: final.error,
    training: {
      phases: progress.phases, final, flows: flowCount(trained.config, trained.process.copyOf), integrand_evaluations: progress.points, invalid_points: progress.invalid,
      history: progress.history,
    },
    events: {
      file: events.lhePath, count: events.events, overweight_share: events.overweight_share, w_max: events.w_max, acceptance: events.generation.acceptance,
      presample_sigma_pb: events.presample.sigma, presample_sigma_error_pb: events.presample.error, overweight_events: events.generation.overweight_events,
      // every point the events cost (w_max and σ come from the training's final integration)
      points: events.presample.points + events.generation.points, wall_s: events.timing.wall_s,
      // CPU seconds (summed over threads) of the sampler's mapping and of the process, and wall seconds
      timing_s: events.timing,
      // the 9-point μR/μF variations written in <rwgt> (generate/scale_variations.ts)
      scale_variations: events.scaleVariations,
      normalisation: events.normalisation, composition: events.composition,
    },
    wall_time_s: { mg5_and_build: prepareSeconds, training: trained.wallSeconds, generation: events.timing.wall_s },
    ...(cluster ? { cluster } : {}),
  };
  writeJsonAtomic(layout.summary, summary);
  const result: LaunchResult = { layout, card, mg5, prepared, trained, events, summary };
  if (!input.baseline) return result;

  // MG5's own event generation on a copy of the folder, then the comparison report
  control.stage = 'baseline';
  const baseline = await runMg5Baseline(mg5, layout, summary, { events: input.events, seed: input.seed, threads: input.threads }, reporter);
  control.stage = 'report';
  result.comparison = await compareWithMg5(layout, summary, baseline);
  return result;
}

/**
 * The events as shards of a gridpack of the trained sampler on a batch cluster, merged into
 * the launch's Events/run_XX: the same w_max (the training's) as a local generation, σ from
 * all shards' points. A signal cancels the job arrays.
 */
async function clusterEvents(
  trained: TrainedSampler, input: LaunchInput & { events: number }, layout: LaunchLayout, control: LaunchControl, reporter: Reporter,
): Promise<{ events: GenerateResult; cluster: ClusterRun['summary']['cluster'] }> {
  const c = input.cluster!;
  const start = performance.now();
  const run = await clusterGenerate({
    sampler: trained.path, cluster: c.engine, jobs: c.jobs, events: input.events, seed: input.seed, threads: input.threads, batch: LAUNCH_BATCH_POINTS,
    retries: c.retries, pollSeconds: c.pollSeconds, out: layout.eventsDir, registerCancel: (cancel) => { control.cancelJobs = cancel; },
  }, reporter);
  control.cancelJobs = undefined;
  return { events: clusterGenerateResult(run, (performance.now() - start) / 1000), cluster: run.summary.cluster };
}

/** Everything a trained sampler depends on: the integrand (libraries and cards), the configuration, seed and threads. */
function trainingInputs(cards: PreparedCards, librariesSha256: string, config: TrainConfig, seed: number, threads: number, events: number): TrainingInputs {
  return {
    // the events too: the training stops when it no longer repays for them (train/stopping.ts)
    key: digest(cards.key, librariesSha256, JSON.stringify(config), String(seed), String(threads), String(events), VERSION),
    cards_key: cards.key,
    cards,
    seed,
    threads,
    events,
  };
}

/**
 * The sampler of an earlier launch with the same inputs when its file is intact (stated),
 * the interrupted training continued with --resume, or a new training. The training's
 * stamp is removed while it runs and written once the sampler file is complete.
 */
async function trainOrReuse(
  loaded: LoadedProcess, identity: ProcessIdentity, inputs: TrainingInputs, config: TrainConfig, input: LaunchInput & { events: number }, layout: LaunchLayout, reporter: Reporter,
): Promise<{ trained: TrainedSampler; reused: boolean }> {
  const stale = stampMismatch(layout.samplerStamp, inputs.key);
  if (!stale) {
    const reused = reuseTrainedSampler(loaded, layout.sampler, identity);
    if (reused) {
      reporter.note(`no training: ${layout.sampler} was trained from the same libraries, cards, configuration, seed and threads, and is reused`);
      return { trained: reused, reused: true };
    }
  }
  let resume: Resume | undefined;
  if (input.resume) {
    if (!existsSync(layout.checkpoint)) throw new UserError(`--resume: no checkpoint of an interrupted training in ${layout.dir}: launch without --resume`);
    resume = readResume(layout, identity, {}, config, reporter);
    if (resume.file.inputs?.key !== inputs.key) {
      throw new UserError(`--resume: the checkpoint in ${layout.dir} was made from other inputs (cards, libraries, configuration, seed or threads): launch without --resume to train afresh`);
    }
    reporter.note(`resuming the training from ${layout.checkpoint}`);
  } else if (existsSync(layout.checkpoint)) {
    reporter.note(`${layout.checkpoint} holds an interrupted training: it starts afresh (launch --resume would continue it)`);
  }
  clearStamp(layout.samplerStamp);
  const trained = await trainSampler(loaded, config, input.seed, layout, reporter, { resume, identity, inputs, budget: { events: input.events } });
  writeStamp(layout.samplerStamp, inputs.key, [layout.sampler]);
  const skipped = trained.progress.flow_skipped;
  if (skipped) {
    reporter.note(
      `no flow training: VEGAS accepts ${percent(skipped.acceptance)} of its points, so even a flow accepting every point would save at most ` +
        `${count(Math.round(skipped.saving))} generated points for ${count(skipped.events)} events, less than the shortest flow training costs ` +
        `(${count(skipped.cost)} point-equivalents); VEGAS generates them (training.stop_for_events in madnis.yaml)`,
    );
  }
  const stop = trained.progress.stop;
  if (stop) {
    const v = stop.verdict;
    reporter.note(
      `training stopped after ${stop.end} of ${config.training.steps} steps: steps ${stop.decided_at + 2 - config.training.stop_block}–${stop.decided_at + 1} raised the acceptance from ` +
        `${percent(v.previous)} to ${percent(v.last)}, saving ${count(Math.max(0, Math.round(v.saving)))} generated points for ${count(stop.events)} events, ` +
        `less than their cost (${count(v.cost)} = ${config.training.training_point_cost} × ${config.training.stop_block} × ${count(config.training.batch_size)}); ` +
        `then ${stop.end - stop.decided_at - 1} cooldown steps (training.stop_for_events in madnis.yaml)`,
    );
  }
  return { trained, reused: false };
}
