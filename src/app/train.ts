/**
 * Use case `train`: VEGAS warm-up, then the MadNIS flow and channel-weight training, with
 * checkpoints; writes the sampler file and summary.json. `trainSampler` is the sequence
 * itself (create, train, checkpoint, write, remove the checkpoint), shared with launch.
 */
import { resolve } from 'node:path';

import { existsSync, rmSync } from 'node:fs';

import { subprocessCrashHint } from '../mg5/build.js';
import type { NativeSampler } from '../native/addon.js';
import { loadProcess, type LoadedProcess } from '../process/load.js';
import { parseProcessSpec } from '../process/spec.js';
import { loadTrainConfig, type TrainConfig } from '../train/config.js';
import {
  decodeState, makeSamplerFile, processIdentity, readSamplerFile, writeSamplerFile, type ProcessIdentity, type SamplerFile, type TrainingInputs,
} from '../train/sampler_file.js';
import { createSampler, flowCount, runTraining, type FinalIntegration, type TrainingProgress } from '../train/schedule.js';
import type { TrainingBudget } from '../train/stopping.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import { faultPoint } from '../util/fault.js';
import { VERSION } from '../version.js';
import { defaultOutDir, trainLayout, type TrainLayout } from './layout.js';
import { withProgress, type Reporter } from './reporter.js';

/** A trained sampler, live (ready to generate) and as written to its file. */
export interface TrainedSampler {
  process: LoadedProcess;
  identity: ProcessIdentity;
  sampler: NativeSampler;
  /** the finished sampler file's content, as written to `path` */
  file: SamplerFile;
  path: string;
  progress: TrainingProgress;
  final: FinalIntegration;
  seed: number;
  config: TrainConfig;
  wallSeconds: number;
}

export interface Resume {
  file: SamplerFile;
  progress: TrainingProgress;
}

export interface TrainOptions {
  /** continue from a checkpoint */
  resume?: Resume;
  /** the process's identity, when the caller has hashed it already */
  identity?: ProcessIdentity;
  /** recorded in the checkpoints and the sampler file (launch: the cards) */
  inputs?: TrainingInputs;
  /** the events the sampler is trained for (launch): the training may stop once it no longer repays */
  budget?: TrainingBudget;
}

export async function trainSampler(
  process: LoadedProcess, config: TrainConfig, seed: number, layout: TrainLayout, reporter: Reporter, options: TrainOptions = {},
): Promise<TrainedSampler> {
  const { resume, inputs } = options;
  const identity = options.identity ?? processIdentity(process);
  const sampler = createSampler(process, config, seed);
  if (resume) sampler.setState(decodeState(resume.file.state));
  const start = performance.now();
  const result = await withProgress(reporter, 'train', 'units', true, (bar) =>
    runTraining(process, sampler, config, seed, {
      onProgress: (done, total, s) => bar.update(done, total, s),
      onCheckpoint: (state, progress) => {
        writeSamplerFile(layout.checkpoint, { ...makeSamplerFile(VERSION, identity, seed, config, state, progress.history, null), progress, ...(inputs ? { inputs } : {}) });
        faultPoint('training');
      },
    }, resume?.progress, options.budget));
  const wallSeconds = (performance.now() - start) / 1000;
  // wall-clock times live in summary.json, so the same seed gives the same file
  const progress = { ...result.progress, phases: result.progress.phases.map(({ split: _split, ...p }) => ({ ...p, wall_time_s: 0 })) };
  const file: SamplerFile = {
    ...makeSamplerFile(VERSION, identity, seed, config, result.state, result.progress.history, result.final), progress, ...(inputs ? { inputs } : {}),
  };
  writeSamplerFile(layout.sampler, file);
  rmSync(layout.checkpoint, { force: true });
  return { process, identity, sampler, file, path: layout.sampler, progress: result.progress, final: result.final, seed, config, wallSeconds };
}

/**
 * A finished sampler file reopened on the process just loaded (launch's reuse of an
 * unchanged training): the file's state, its training's progress and final integration.
 */
export function reuseTrainedSampler(process: LoadedProcess, path: string, identity: ProcessIdentity): TrainedSampler | undefined {
  const file = readSamplerFile(path);
  if (!file.result || !file.progress || file.process.library_sha256 !== identity.library_sha256) return undefined;
  const sampler = createSampler(process, file.config, file.seed);
  sampler.setState(decodeState(file.state));
  return { process, identity, sampler, file, path, progress: file.progress, final: file.result, seed: file.seed, config: file.config, wallSeconds: 0 };
}

export interface TrainInput {
  spec: string;
  /** madnis.yaml (default: the built-in defaults, templates/madnis.yaml) */
  config?: string;
  seed: number;
  threads: number;
  out?: string;
  resume: boolean;
  pdf?: string;
  mg5?: string;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The checkpoint to resume from, checked against the process and configuration of this run. */
export function readResume(layout: TrainLayout, identity: ProcessIdentity, input: { config?: string }, config: TrainConfig, reporter: Reporter): Resume {
  if (!existsSync(layout.checkpoint)) throw new UserError(`--resume: no checkpoint in ${layout.dir} (a run writes checkpoint.madnis there while it trains)`);
  const file = readSamplerFile(layout.checkpoint);
  if (file.process.spec !== identity.spec || !sameJson(file.process.parameters, identity.parameters)) {
    throw new UserError(`--resume: the checkpoint in ${layout.dir} was made for another process (${file.process.spec})`);
  }
  if (file.process.library_sha256 !== identity.library_sha256) {
    reporter.warn(`${identity.library} was rebuilt or changed since the checkpoint; training goes on with it`);
  }
  if (input.config && !sameJson(file.config, config)) throw new UserError(`--resume: ${input.config} differs from the configuration of the checkpointed run`);
  if (!file.progress) throw new UserError(`--resume: ${layout.checkpoint} holds no training progress`);
  return { file, progress: file.progress };
}

export function trainSummary(trained: TrainedSampler, threads: number, resumed: boolean) {
  const { final, progress } = trained;
  return {
    command: 'train' as const,
    madnis_ts_version: VERSION,
    process: trained.identity,
    seed: trained.seed,
    threads,
    resumed,
    config: trained.config,
    sampler_file: trained.path,
    sigma_pb: final.sigma,
    sigma_error_pb: final.error,
    relative_std: final.relative_std,
    overweight_share: trained.config.integration.overweight_share,
    efficiency_definition: 'ε = ⟨w⟩/w_max over the final fresh sample (zero weights included); w_max: truncated = smallest value leaving ≤ overweight_share of σ in overweights, max = plain maximum, median_max = median over bootstrap replicas of N/R points of the replica maximum',
    final,
    phases: progress.phases,
    dropped_channels: progress.history.dropped,
    flows: flowCount(trained.config, trained.process.copyOf),
    integrand_evaluations: progress.points,
    invalid_points: progress.invalid,
    wall_time_s: trained.wallSeconds,
  };
}

export async function train(input: TrainInput, reporter: Reporter): Promise<{ trained: TrainedSampler; summaryPath: string }> {
  const process = loadProcess(parseProcessSpec(input.spec, { pdf: input.pdf, mg5: input.mg5 }), input.threads, { crashHint: subprocessCrashHint });
  const layout = trainLayout(resolve(input.out ?? defaultOutDir('train', process.info.name)));
  let config = loadTrainConfig(input.config);
  let seed = input.seed;
  // hashes every library once
  const identity = processIdentity(process);
  let resume: Resume | undefined;
  if (input.resume) {
    resume = readResume(layout, identity, input, config, reporter);
    config = resume.file.config;
    seed = resume.file.seed;
  }
  const trained = await trainSampler(process, config, seed, layout, reporter, { resume, identity });
  writeJsonAtomic(layout.summary, trainSummary(trained, input.threads, input.resume));
  return { trained, summaryPath: layout.summary };
}
