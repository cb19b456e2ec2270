/**
 * Typed bindings to the native core (native/addon). The core works on batches and runs
 * every heavy call off the JS thread, returning a promise.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

import { UserError } from '../util/errors.js';
import { checkEventRecord, type EventColumns, type NativeEventRecord } from './event_record.js';
import { addonPath } from './paths.js';

export type { EventColumns } from './event_record.js';

export interface Beam {
  pdg: number;
  energy: number;
}

export interface ProcessInfo {
  name: string;
  description: string;
  dimension: number;
  channels: number;
  pdg: number[];
  mass: number[];
  beams: [Beam, Beam];
  usesPdf: boolean;
  pdfLhaid: number;
  parametersJson: string;
  threads: number;
}

/** Per-point outputs of the process ABI. */
export interface Evaluation {
  weight: Float64Array;
  /** prior α_j of every channel j, per point */
  channelWeights: Float64Array;
  events: EventColumns;
}

/** Running sums of α_c·w for one channel (see native/src/channel_stats.h). */
export interface ChannelSums {
  n: number;
  /** points whose process weight is non-zero (they pass the cuts) */
  passing: number;
  /** points with a non-zero contribution α_c·w */
  nonzero: number;
  invalid: number;
  sum: number;
  sumSq: number;
  maxAbs: number;
}

export interface PlainBatch {
  seed: number;
  iteration: number;
  firstIndex: number[];
  points: number[];
}

export interface NativeProcess {
  info(): ProcessInfo;
  evaluate(channel: number, u: Float64Array): Promise<Evaluation>;
  integratePlain(batch: PlainBatch): Promise<ChannelSums[]>;
}

/** Moments of the weights α_c f/g of one channel in a batch. */
export interface ChannelMoments {
  n: number;
  mean: number;
  variance: number;
  absMean: number;
  /** points with a non-zero weight (absent for buffered steps) */
  nonzero?: number;
}

export interface OverweightStats {
  wMax: number;
  efficiency: number;
  acceptance: number;
  overweightFraction: number;
  overweightSigmaShare: number;
}

/** See native/src/unweight.h for the definitions. */
export interface EfficiencyStats {
  n: number;
  nonzero: number;
  /** weights below zero (counted by magnitude everywhere) */
  negative: number;
  mean: number;
  relativeStd: number;
  plainMax: OverweightStats;
  truncated: OverweightStats;
  medianMax: OverweightStats;
}

/**
 * Where a native step's time went, seconds (native/src/session.h StepTiming): drawing the
 * batch (wall), within it the process evaluation and the sampler's mapping as CPU seconds
 * summed over threads; weighing with the channel weights and the gradient step (wall);
 * the whole step (wall).
 */
export interface StepTiming {
  draw: number;
  evaluateCpu: number;
  sampleCpu: number;
  weigh: number;
  gradient: number;
  total: number;
}

export interface StepStats {
  /** points with a non-finite weight or prior (counted, then excluded with weight 0) */
  invalid: number;
  timing: StepTiming;
  channels: ChannelMoments[];
  loss: number;
  gradNorm: number;
  /** of the batch's combined weights (online steps and VEGAS iterations) */
  efficiency?: EfficiencyStats;
}

export interface IntegrationStats extends StepStats {
  efficiency: EfficiencyStats;
  /** each channel's own unweighting efficiency, on its own points */
  channelEfficiency: EfficiencyStats[];
  weights?: Float64Array;
  channel?: Int32Array;
}

export interface NativeSamplerConfig {
  seed: number;
  vegasBins: number;
  flowPerChannel: boolean;
  /** the flow each channel samples with, 0.. in channel order; []: one per channel */
  flowGroups: number[];
  vegasInit: 'fixed_map' | 'spline';
  /** what runs the networks (native/src/backend.h) */
  backend: 'cpu';
  flow: { bins: number; minWidth: number; minHeight: number; minDerivative: number; hidden: number; layers: number; activation: string; precision: string };
  channelWeights: { enabled: boolean; hidden: number; layers: number; activation: string; precision: string; /** 0: unbounded */ maxLogRatio: number };
  adam: { beta1: number; beta2: number; epsilon: number; clipNorm: number };
}

/** One batch of unweighted events (native/src/generator.h). */
export interface GeneratedBatch {
  drawn: number;
  /** drawn points with a non-finite weight or prior, excluded */
  invalid: number;
  accepted: number;
  overweight: number;
  /** Σ of the combined weights W over every drawn point */
  sumWeight: number;
  channels: ChannelMoments[];
  channel: Int32Array;
  /** sign(W)·max(1, |W|/w_max) per accepted event */
  weightFactor: Float64Array;
  /** the accepted events' record */
  events: EventColumns;
  timing: { sampleSeconds: number; evaluateSeconds: number; unweightSeconds: number };
}

/** The sampler's whole trainable state (checkpoints, sampler files). */
export interface SamplerState {
  stage: 'vegas' | 'flow';
  vegasInFront: boolean;
  grids: Float64Array[];
  params: Float64Array;
  adam: Float64Array;
  active: boolean[];
}

export interface NativeSampler {
  vegasIteration(o: { counts: number[]; seed: number; iteration: number; damping: number; keep: boolean; bufferCapacity: number }): Promise<StepStats>;
  startFlow(): void;
  trainStep(o: { counts: number[]; seed: number; step: number; learningRate: number; loss: string; bufferCapacity: number }): Promise<StepStats>;
  bufferStep(o: { learningRate: number; loss: string }): Promise<StepStats>;
  integrate(o: { counts: number[]; seed: number; iteration: number; weights?: boolean; overweightShare?: number; replicas?: number }): Promise<IntegrationStats>;
  generate(o: { counts: number[]; seed: number; iteration: number; wMax: number }): Promise<GeneratedBatch>;
  getState(): SamplerState;
  setState(state: SamplerState): void;
  setActive(active: boolean[]): void;
  info(): { parameters: number; stage: 'vegas' | 'flow'; bufferSize: number; features: number };
}

/** The 9-point scale variations of event weights (native/src/scale_variation.h). */
export interface NativeScaleVariations {
  /** the variations, in the order of each event's ratios (MG5 systematics': μ_R slowest) */
  factors(): Array<{ muR: number; muF: number }>;
  /** w(variation v)/w of event e at e·nv + v (NaN where the record does not determine it); one call per batch */
  ratios(record: EventColumns): Promise<Float64Array>;
}

export interface ScaleVariationOptions {
  /** the LHgrid file the weights were computed with ('' when no beam has a PDF) */
  pdfGrid: string;
  /** per beam: 1 a proton's PDF, −1 an antiproton's, 0 none (lepton) */
  beamPdf: [number, number];
  /** loops of the α_s running (MadEvent's: 2) */
  nloop: number;
}

interface Addon {
  /** crashHint: printed after the message that the library crashed (where its logs are) */
  Process: new (library: string | Array<{ path: string; params: string; crashHint?: string }>, params: string, threads: number) => NativeProcess;
  Sampler: new (process: NativeProcess, config: NativeSamplerConfig) => NativeSampler;
  /** ε for any weighted sample (zero weights included), defined in native/src/unweight.h */
  unweightingEfficiency(weights: Float64Array, options?: { overweightShare?: number; replicas?: number; seed?: number }): Promise<EfficiencyStats>;
  ScaleVariations: new (options: ScaleVariationOptions) => NativeScaleVariations;
  processAbi: { major: number; minor: number };
  eventRecord: NativeEventRecord;
}

let cached: Addon | undefined;

export function loadAddon(): Addon {
  if (cached) return cached;
  if (!existsSync(addonPath)) {
    throw new UserError(
      `the native core is not built (${addonPath} is missing): run \`npm run build\` in the madnis-ts folder`,
    );
  }
  const require = createRequire(import.meta.url);
  const addon = require(addonPath) as Addon;
  checkEventRecord(addon.eventRecord as NativeEventRecord | undefined, addonPath);
  cached = addon;
  return cached;
}
