/**
 * Sampler files (*.madnis): versioned, self-describing JSON holding the process identity,
 * the configuration, the trained state (VEGAS grids, flow and channel-net weights, Adam
 * moments; doubles stored exactly as base64) and the training history. Checkpoints use
 * the same format with the run's progress added. Written atomically.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { z } from 'zod';

import type { SamplerState } from '../native/addon.js';
import type { LoadedProcess } from '../process/load.js';
import type { ProcessSpec } from '../process/spec.js';
import { writeFileAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import { trainConfigSchema, type TrainConfig } from './config.js';
import type { FinalIntegration, TrainingHistory, TrainingProgress } from './schedule.js';

export const SAMPLER_FORMAT = 'madnis-ts sampler';
export const SAMPLER_FORMAT_VERSION = 1;

export interface ProcessIdentity {
  spec: string;
  name: string;
  description: string;
  library: string;
  library_sha256: string;
  parameters: Record<string, unknown>;
  dimension: number;
  channels: number;
  pdg: number[];
  beams: Array<{ pdg: number; energy: number }>;
}

interface EncodedState {
  stage: 'vegas' | 'flow';
  vegas_in_front: boolean;
  active: boolean[];
  grids: string[];
  params: string;
  adam: string;
}

export interface SamplerFile {
  format: typeof SAMPLER_FORMAT;
  format_version: number;
  madnis_ts_version: string;
  process: ProcessIdentity;
  seed: number;
  config: TrainConfig;
  state: EncodedState;
  history: TrainingHistory;
  result: FinalIntegration | null;
  /** the training's progress (phases, points; in checkpoints, where to resume) */
  progress?: TrainingProgress;
  /** what the sampler was trained from besides its libraries (launch: the cards), checked before reuse */
  inputs?: TrainingInputs;
}

/**
 * The inputs of a training beyond the process libraries: `key` identifies all of them
 * (libraries, cards, configuration, seed, threads): equal keys, equal samplers. `cards_key`
 * identifies the integrand's cards of an MG5 process (mg5/launch.ts processCardsDigest).
 */
export interface TrainingInputs {
  key: string;
  cards_key?: string;
  [more: string]: unknown;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().min(0);

/**
 * What reading a sampler file relies on (the rest, e.g. the history, is carried along):
 * a structurally wrong file is a user error naming the field, not a crash later on.
 */
const samplerFileSchema = z.looseObject({
  madnis_ts_version: z.string(),
  process: z.looseObject({
    spec: z.string().min(1),
    library: z.string(),
    library_sha256: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    dimension: count,
    channels: z.number().int().positive(),
    pdg: z.array(z.number().int()),
    beams: z.array(z.looseObject({ pdg: z.number().int(), energy: finite })).length(2),
  }),
  seed: count,
  state: z.looseObject({
    stage: z.enum(['vegas', 'flow']),
    vegas_in_front: z.boolean(),
    active: z.array(z.boolean()),
    grids: z.array(z.string()),
    params: z.string(),
    adam: z.string(),
  }),
  history: z.looseObject({ vegas: z.array(z.unknown()), flow: z.array(z.unknown()), dropped: z.array(z.unknown()) }),
  result: z.looseObject({
    points: count,
    counts: z.array(count),
    sigma: finite,
    error: finite,
    channels: z.array(z.looseObject({ sigma: finite, error: finite })),
    w_max_truncated: finite,
    acceptance_truncated: finite,
  }).nullable(),
});

export function encodeFloat64(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function decodeFloat64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength % 8 !== 0) throw new UserError('corrupt sampler file: a float64 array has a length not divisible by 8');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The hash of a process's library, or of all its parts' libraries. */
export function librarySha256(spec: ProcessSpec): string {
  if (spec.parts.length === 1) return fileSha256(spec.parts[0]!.libraryPath);
  return createHash('sha256').update(spec.parts.map((p) => fileSha256(p.libraryPath)).join('\n')).digest('hex');
}

export function processIdentity(process: LoadedProcess): ProcessIdentity {
  return {
    spec: process.spec.spec,
    name: process.info.name,
    description: process.info.description,
    library: process.spec.parts.map((p) => p.libraryPath).join(','),
    library_sha256: librarySha256(process.spec),
    parameters: process.parameters,
    dimension: process.info.dimension,
    channels: process.info.channels,
    pdg: process.info.pdg,
    beams: process.info.beams.map((b) => ({ pdg: b.pdg, energy: b.energy })),
  };
}

export function encodeState(state: SamplerState): EncodedState {
  return {
    stage: state.stage,
    vegas_in_front: state.vegasInFront,
    active: state.active,
    grids: state.grids.map(encodeFloat64),
    params: encodeFloat64(state.params),
    adam: encodeFloat64(state.adam),
  };
}

export function decodeState(state: EncodedState): SamplerState {
  return {
    stage: state.stage,
    vegasInFront: state.vegas_in_front,
    active: state.active,
    grids: state.grids.map(decodeFloat64),
    params: decodeFloat64(state.params),
    adam: decodeFloat64(state.adam),
  };
}

/** A finished sampler file (or, with `progress`, a checkpoint). */
export function makeSamplerFile(
  version: string,
  process: ProcessIdentity,
  seed: number,
  config: TrainConfig,
  state: SamplerState,
  history: TrainingHistory,
  result: FinalIntegration | null,
): SamplerFile {
  // wall-clock times live in summary.json, so the same seed gives the same file
  return { format: SAMPLER_FORMAT, format_version: SAMPLER_FORMAT_VERSION, madnis_ts_version: version, process, seed, config, state: encodeState(state), history, result };
}

export function writeSamplerFile(path: string, file: SamplerFile): void {
  writeFileAtomic(path, `${JSON.stringify(file)}\n`);
}

export function readSamplerFile(path: string): SamplerFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read sampler file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let file: SamplerFile;
  try {
    file = JSON.parse(text) as SamplerFile;
  } catch {
    throw new UserError(`${path} is not a madnis-ts sampler file (not valid JSON; truncated?)`);
  }
  if (file?.format !== SAMPLER_FORMAT) throw new UserError(`${path} is not a madnis-ts sampler file (format '${String(file?.format)}')`);
  if (file.format_version !== SAMPLER_FORMAT_VERSION) {
    throw new UserError(`${path} has sampler format version ${file.format_version}; this madnis-ts reads version ${SAMPLER_FORMAT_VERSION}`);
  }
  // files written before the networks' precision was a setting were trained in float64
  const raw = file.config as unknown as Record<string, Record<string, unknown> | undefined> | undefined;
  for (const section of ['flow', 'channel_weights']) if (raw?.[section] && raw[section].precision === undefined) raw[section].precision = 'float64';
  // and before the channel network had a trust region, unbounded
  if (raw?.channel_weights && raw.channel_weights.max_log_ratio === undefined) raw.channel_weights.max_log_ratio = null;
  const config = trainConfigSchema.safeParse(file.config);
  if (!config.success) throw new UserError(`${path}: its training configuration is invalid (${config.error.issues[0]?.message})`);
  const parsed = samplerFileSchema.safeParse(file);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${path} is not a valid madnis-ts sampler file: ${issue.path.join('.') || 'the file'}: ${issue.message}`);
  }
  const { channels } = file.process;
  if (file.state.active.length !== channels || (file.result && file.result.counts.length !== channels)) {
    throw new UserError(`${path} is not a valid madnis-ts sampler file: its state and result do not have one entry per channel (${channels})`);
  }
  file.config = config.data;
  return file;
}
