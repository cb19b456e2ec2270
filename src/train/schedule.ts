/**
 * The MadNIS training schedule (TypeScript decides, the native core steps):
 * VEGAS warm-up iterations, then flow + channel-weight training with online samples and
 * a replay buffer, stratified allocation of points to channels, channel dropping, and a
 * final integration with fresh samples. Checkpoints let a killed run resume.
 */
import { loadAddon, type IntegrationStats, type NativeSampler, type NativeSamplerConfig, type SamplerState, type StepStats, type StepTiming } from '../native/addon.js';
import type { LoadedProcess } from '../process/load.js';
import { allocatePoints } from '../mc/allocation.js';
import { learningRate } from './learning_rate.js';
import { cooldownRate, flowCannotRepay, shouldStop, type FlowSkipped, type TrainingBudget, type TrainingStop } from './stopping.js';
import type { TrainConfig } from './config.js';
import { combineEstimates, estimateFromMoments, relativeStd } from '../mc/estimates.js';
import { INTEGRATION_ITERATION } from '../mc/streams.js';

export interface VegasRecord {
  iteration: number;
  invalid: number;
  counts: number[];
  sigma: number;
  error: number;
  relative_std: number;
  efficiency: number;
}

export interface FlowRecord {
  step: number;
  invalid: number;
  counts: number[];
  loss: number;
  buffered_loss: number | null;
  learning_rate: number;
  grad_norm: number;
  sigma: number;
  error: number;
  relative_std: number;
  efficiency: number;
}

/**
 * Where a phase's time went, seconds, from the native steps' timings: the matrix element
 * (the process evaluation's share of drawing, wall), the sampler (its mapping, the channel
 * weights and the gradient steps: the networks in the flow phase) and the rest (estimates,
 * bookkeeping, the JavaScript side).
 */
export interface TrainingSplit {
  matrix_element_s: number;
  sampler_networks_s: number;
  rest_s: number;
  /** the process evaluation and the sampler's mapping in CPU seconds, summed over threads */
  matrix_element_cpu_s: number;
  sampler_mapping_cpu_s: number;
}

/** Sums native step timings over a phase. */
class TimingSum {
  private draw = 0;
  private evaluateCpu = 0;
  private sampleCpu = 0;
  private networks = 0;

  add(t: StepTiming | undefined): void {
    if (!t) return;
    this.draw += t.draw;
    this.evaluateCpu += t.evaluateCpu;
    this.sampleCpu += t.sampleCpu;
    this.networks += t.weigh + t.gradient;
  }

  /** The split of a phase that took `wall` seconds. */
  split(wall: number): TrainingSplit {
    const cpu = this.evaluateCpu + this.sampleCpu;
    const me = cpu > 0 ? (this.draw * this.evaluateCpu) / cpu : 0;
    const sampler = this.draw - me + this.networks;
    return { matrix_element_s: me, sampler_networks_s: sampler, rest_s: Math.max(0, wall - me - sampler), matrix_element_cpu_s: this.evaluateCpu, sampler_mapping_cpu_s: this.sampleCpu };
  }
}

export interface PhaseSummary {
  phase: 'VEGAS' | 'flow';
  /** combined over the phase's iterations/steps, with χ²/dof of their consistency */
  sigma: number;
  error: number;
  chi2_per_dof: number | null;
  /** evaluated on fresh points at the end of the phase */
  final: FinalIntegration;
  points: number;
  wall_time_s: number;
  /** where the wall time went (not in sampler files: wall-clock times live in summary.json) */
  split?: TrainingSplit;
}

export interface FinalIntegration {
  points: number;
  counts: number[];
  sigma: number;
  error: number;
  /** efficiency_max / efficiency_truncated: ⟨|w|⟩/w_max on the channel's own points (plain maximum / ≤ overweight share) */
  channels: Array<{ channel: number; sigma: number; error: number; points: number; nonzero: number; efficiency_max?: number; efficiency_truncated?: number }>;
  relative_std: number;
  /** see native/src/unweight.h */
  efficiency_max: number;
  efficiency_truncated: number;
  efficiency_median_max: number;
  w_max_truncated: number;
  w_max_median: number;
  acceptance_truncated: number;
  overweight_fraction_truncated: number;
  overweight_sigma_share_truncated: number;
  points_passing_cuts: number;
  /** points with a non-finite weight (e.g. NaN from an amplitude): excluded, counted */
  invalid_points: number;
}

export interface TrainingHistory {
  vegas: VegasRecord[];
  flow: FlowRecord[];
  dropped: Array<{ step: number; channel: number; share: number }>;
}

/** Where a run stands: enough to resume it from a checkpoint. */
export interface TrainingProgress {
  phase: 'vegas' | 'flow' | 'done';
  next: number;
  counts: number[];
  sqrt_variances: number[];
  active: boolean[];
  history: TrainingHistory;
  phases: PhaseSummary[];
  /** integrand evaluations spent so far */
  points: number;
  /** of those, the ones with a non-finite weight or prior, excluded from every estimate */
  invalid: number;
  /** where the flow training stopped before the schedule's end, and why (train/stopping.ts) */
  stop?: TrainingStop;
  /** the flow training was not started: it could not repay itself for the events (train/stopping.ts) */
  flow_skipped?: FlowSkipped;
}

export interface TrainEvents {
  onProgress?: (done: number, total: number, status: { phase: string; loss?: number; sigma: number; error: number; efficiency: number }) => void;
  /** called with the state to save every `checkpoint_every` steps and at phase ends */
  onCheckpoint?: (state: SamplerState, progress: TrainingProgress) => void;
}

export interface TrainResult {
  state: SamplerState;
  progress: TrainingProgress;
  final: FinalIntegration;
}

/**
 * The flow each channel samples with: with `flow.share_symmetric_copies`, a symmetric copy
 * (copyOf[c] ≥ 0) takes its config's; groups numbered in channel order. [] when every
 * channel has its own (no copies, or not shared).
 */
export function flowGroups(config: TrainConfig, copyOf: readonly number[]): number[] {
  if (!config.flow.per_channel || !config.flow.share_symmetric_copies || !copyOf.some((c) => c >= 0)) return [];
  // a copy names its config's channel, which is no copy itself (symfact.dat)
  const numberOf = new Map<number, number>();
  return copyOf.map((of, c) => {
    const root = of >= 0 && copyOf[of] === -1 ? of : c;
    if (!numberOf.has(root)) numberOf.set(root, numberOf.size);
    return numberOf.get(root)!;
  });
}

/** How many flows the sampler trains, for summaries: null without flows. */
export function flowCount(config: TrainConfig, copyOf: readonly number[]): { flows: number; channels: number; symmetric_copies_sharing: number } | null {
  if (!config.flow.enabled) return null;
  const groups = flowGroups(config, copyOf);
  const flows = !config.flow.per_channel ? 1 : groups.length ? Math.max(...groups) + 1 : copyOf.length;
  return { flows, channels: copyOf.length, symmetric_copies_sharing: groups.length ? copyOf.length - flows : 0 };
}

export function nativeSamplerConfig(config: TrainConfig, seed: number, copyOf: readonly number[] = []): NativeSamplerConfig {
  return {
    seed,
    vegasBins: config.vegas.bins,
    flowPerChannel: config.flow.per_channel,
    flowGroups: flowGroups(config, copyOf),
    vegasInit: config.flow.init,
    backend: config.flow.backend,
    flow: {
      bins: config.flow.bins,
      minWidth: config.flow.min_bin_width,
      minHeight: config.flow.min_bin_height,
      minDerivative: config.flow.min_derivative,
      hidden: config.flow.hidden,
      layers: config.flow.layers,
      activation: config.flow.activation,
      precision: config.flow.precision,
    },
    channelWeights: {
      enabled: config.channel_weights.enabled,
      hidden: config.channel_weights.hidden,
      layers: config.channel_weights.layers,
      activation: config.channel_weights.activation,
      precision: config.channel_weights.precision,
      maxLogRatio: config.channel_weights.max_log_ratio ?? 0,
    },
    adam: { beta1: config.training.adam_beta1, beta2: config.training.adam_beta2, epsilon: config.training.adam_epsilon, clipNorm: config.training.clip_norm },
  };
}

export function createSampler(process: LoadedProcess, config: TrainConfig, seed: number): NativeSampler {
  const { Sampler } = loadAddon();
  return new Sampler(process.native, nativeSamplerConfig(config, seed, process.copyOf));
}

function finalIntegration(stats: IntegrationStats, counts: number[]): FinalIntegration {
  const estimate = estimateFromMoments(stats.channels);
  const e = stats.efficiency;
  return {
    points: counts.reduce((a, n) => a + n, 0),
    counts,
    sigma: estimate.sigma,
    error: estimate.error,
    channels: stats.channels.map((m, c) => ({
      channel: c, sigma: estimate.perChannel[c]!.sigma, error: estimate.perChannel[c]!.error, points: m.n, nonzero: m.nonzero ?? 0,
      efficiency_max: stats.channelEfficiency[c]?.plainMax.efficiency ?? 0,
      efficiency_truncated: stats.channelEfficiency[c]?.truncated.efficiency ?? 0,
    })),
    relative_std: e.relativeStd,
    efficiency_max: e.plainMax.efficiency,
    efficiency_truncated: e.truncated.efficiency,
    efficiency_median_max: e.medianMax.efficiency,
    w_max_truncated: e.truncated.wMax,
    w_max_median: e.medianMax.wMax,
    acceptance_truncated: e.truncated.acceptance,
    overweight_fraction_truncated: e.truncated.overweightFraction,
    overweight_sigma_share_truncated: e.truncated.overweightSigmaShare,
    points_passing_cuts: e.nonzero,
    invalid_points: stats.invalid,
  };
}

/** √Var_c per channel from a batch's moments, for the stratified allocation. */
function sqrtVariances(stats: StepStats): number[] {
  return stats.channels.map((m) => Math.sqrt(Math.max(0, m.variance)));
}

export async function runTraining(
  process: LoadedProcess,
  sampler: NativeSampler,
  config: TrainConfig,
  seed: number,
  events: TrainEvents = {},
  resume?: TrainingProgress,
  /** the events the sampler is for (launch): the flow training may stop when it no longer repays */
  budget?: TrainingBudget,
): Promise<TrainResult> {
  const nChannels = process.info.channels;
  const { vegas, training, integration } = config;
  const flowSteps = config.flow.enabled && process.info.dimension >= 2 ? training.steps : 0;
  const totalUnits = vegas.iterations + flowSteps;
  const progress: TrainingProgress = resume ?? {
    phase: 'vegas',
    next: 0,
    counts: allocatePoints(vegas.points_per_iteration, [], new Array(nChannels).fill(true), training.min_channel_fraction),
    sqrt_variances: new Array(nChannels).fill(0),
    active: new Array(nChannels).fill(true),
    history: { vegas: [], flow: [], dropped: [] },
    phases: [],
    points: 0,
    invalid: 0,
  };
  const checkpoint = () => events.onCheckpoint?.(sampler.getState(), structuredClone(progress));
  const stratify = (total: number) =>
    training.stratified_allocation
      ? allocatePoints(total, progress.sqrt_variances, progress.active, training.min_channel_fraction)
      : allocatePoints(total, [], progress.active, 1);
  let timing = new TimingSum();
  const integrate = async (iteration: number) => {
    const counts = stratify(integration.points);
    const stats = await sampler.integrate({ counts, seed, iteration, overweightShare: integration.overweight_share, replicas: integration.bootstrap_replicas });
    timing.add(stats.timing);
    progress.points += integration.points;
    progress.invalid += stats.invalid;
    return finalIntegration(stats, counts);
  };

  // --- VEGAS warm-up ---------------------------------------------------------------------
  let phaseStart = performance.now();
  if (progress.phase === 'vegas') {
    for (let it = progress.next; it < vegas.iterations; ++it) {
      const counts = stratify(vegas.points_per_iteration);
      const keep = it >= vegas.iterations - vegas.seed_buffer_iterations && flowSteps > 0;
      const stats = await sampler.vegasIteration({ counts, seed, iteration: it, damping: vegas.damping, keep, bufferCapacity: training.buffer_capacity });
      timing.add(stats.timing);
      progress.points += vegas.points_per_iteration;
      progress.invalid += stats.invalid;
      const estimate = estimateFromMoments(stats.channels);
      progress.sqrt_variances = sqrtVariances(stats);
      const record: VegasRecord = {
        iteration: it,
        invalid: stats.invalid,
        counts,
        sigma: estimate.sigma,
        error: estimate.error,
        relative_std: relativeStd(stats.channels, counts),
        efficiency: stats.efficiency?.truncated.efficiency ?? 0,
      };
      progress.history.vegas.push(record);
      progress.next = it + 1;
      events.onProgress?.(it + 1, totalUnits, { phase: 'VEGAS', sigma: record.sigma, error: record.error, efficiency: record.efficiency });
    }
    // The first iterations start from the flat grid: combine the second half.
    const settled = progress.history.vegas.slice(Math.floor(progress.history.vegas.length / 2));
    const combined = combineEstimates(settled.map((r) => ({ sigma: r.sigma, error: r.error })));
    const final = await integrate(INTEGRATION_ITERATION.vegasPhase);
    const wall = (performance.now() - phaseStart) / 1000;
    progress.phases.push({
      phase: 'VEGAS',
      sigma: vegas.iterations > 0 ? combined.sigma : final.sigma,
      error: vegas.iterations > 0 ? combined.error : final.error,
      chi2_per_dof: combined.chi2PerDof,
      final,
      points: vegas.iterations * vegas.points_per_iteration + integration.points,
      wall_time_s: wall,
      split: timing.split(wall),
    });
    // for few events even a perfect flow may not repay its shortest training: VEGAS samples them
    if (flowSteps > 0 && budget && training.stop_for_events) {
      progress.flow_skipped = flowCannotRepay(final.acceptance_truncated, budget, {
        block: training.stop_block, trainingPointCost: training.training_point_cost, batchSize: training.batch_size, cooldown: training.cooldown_steps,
      });
    }
    const flow = flowSteps > 0 && !progress.flow_skipped;
    progress.phase = flow ? 'flow' : 'done';
    progress.next = 0;
    if (flow) sampler.startFlow();
    checkpoint();
  }

  // --- flow + channel weights ------------------------------------------------------------
  phaseStart = performance.now();
  timing = new TimingSum();
  if (progress.phase === 'flow') {
    const window: number[][] = [];
    const stopping = budget && training.stop_for_events ? { block: training.stop_block, trainingPointCost: training.training_point_cost, batchSize: training.batch_size } : undefined;
    for (let step = progress.next; step < (progress.stop?.end ?? flowSteps); ++step) {
      if (step % training.allocation_update_every === 0 || step === progress.next) progress.counts = stratify(training.batch_size);
      const lr = progress.stop
        ? cooldownRate(progress.stop, training.final_learning_rate, step)
        : learningRate(training.lr_schedule, training.learning_rate, training.final_learning_rate, step, flowSteps);
      const stats = await sampler.trainStep({ counts: progress.counts, seed, step, learningRate: lr, loss: training.loss, bufferCapacity: training.buffer_capacity });
      timing.add(stats.timing);
      progress.points += training.batch_size;
      progress.invalid += stats.invalid;
      let bufferedLoss: number | null = null;
      for (let k = 0; k < training.buffered_steps; ++k) {
        const buffered = await sampler.bufferStep({ learningRate: lr, loss: training.loss });
        timing.add(buffered.timing);
        bufferedLoss = buffered.loss;
      }
      const estimate = estimateFromMoments(stats.channels);
      window.push(sqrtVariances(stats));
      if (window.length > training.allocation_update_every) window.shift();
      progress.sqrt_variances = progress.sqrt_variances.map((_, c) => window.reduce((a, w) => a + w[c]!, 0) / window.length);
      const record: FlowRecord = {
        step,
        invalid: stats.invalid,
        counts: progress.counts,
        loss: stats.loss,
        buffered_loss: bufferedLoss,
        learning_rate: lr,
        grad_norm: stats.gradNorm,
        sigma: estimate.sigma,
        error: estimate.error,
        relative_std: relativeStd(stats.channels, progress.counts),
        efficiency: stats.efficiency?.truncated.efficiency ?? 0,
      };
      progress.history.flow.push(record);

      // Drop channels whose share of σ stays below the threshold (their points were
      // spent and are counted; from now on α_c = 0 and the others cover their region).
      if (training.drop_threshold > 0 && step >= training.drop_after_step && step % training.allocation_update_every === 0) {
        const shares = estimate.perChannel.map((c) => (estimate.sigma !== 0 ? Math.abs(c.sigma / estimate.sigma) : 1));
        let changed = false;
        shares.forEach((share, c) => {
          if (progress.active[c] && share < training.drop_threshold && progress.active.filter(Boolean).length > 1) {
            progress.active[c] = false;
            progress.history.dropped.push({ step, channel: c, share });
            changed = true;
          }
        });
        if (changed) sampler.setActive(progress.active);
      }
      progress.next = step + 1;
      // blocks that no longer repay themselves for the budget's events: cool down, then stop
      if (stopping && budget && !progress.stop && (step + 1) % training.stop_block === 0 && step + 1 < flowSteps) {
        const verdict = shouldStop(progress.history.flow.map((r) => r.efficiency), budget, stopping);
        if (verdict) {
          progress.stop = { decided_at: step, end: Math.min(flowSteps, step + 1 + training.cooldown_steps), learning_rate: lr, verdict, events: budget.events };
        }
      }
      const steps = progress.stop?.end ?? flowSteps;
      events.onProgress?.(vegas.iterations + step + 1, vegas.iterations + steps, { phase: 'flow', loss: stats.loss, sigma: record.sigma, error: record.error, efficiency: record.efficiency });
      if ((step + 1) % training.checkpoint_every === 0 && step + 1 < steps) checkpoint();
    }
    const settled = progress.history.flow.slice(Math.floor(progress.history.flow.length / 2));
    const combined = combineEstimates(settled.map((r) => ({ sigma: r.sigma, error: r.error })));
    const final = await integrate(INTEGRATION_ITERATION.final);
    const wall = (performance.now() - phaseStart) / 1000;
    progress.phases.push({
      phase: 'flow',
      sigma: combined.sigma,
      error: combined.error,
      chi2_per_dof: combined.chi2PerDof,
      final,
      points: progress.history.flow.length * training.batch_size + integration.points,
      wall_time_s: wall,
      // a resumed phase's split covers only the steps after the checkpoint
      split: timing.split(wall),
    });
    progress.phase = 'done';
  }
  const last = progress.phases[progress.phases.length - 1]!;
  return { state: sampler.getState(), progress, final: last.final };
}
