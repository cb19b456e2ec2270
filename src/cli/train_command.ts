/**
 * `madnis-ts train <process>`: VEGAS warm-up, then MadNIS flow + channel-weight training;
 * writes the sampler file (sampler.madnis), checkpoints, and summary.json, and prints a
 * table per phase.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import Table from 'cli-table3';
import { Command } from 'commander';

import { loadProcess } from '../process/load.js';
import { DEFAULT_PROCESS, parseProcessSpec } from '../process/spec.js';
import { loadTrainConfig, type TrainConfig } from '../train/config.js';
import { decodeState, makeSamplerFile, processIdentity, readSamplerFile, writeSamplerFile, type SamplerFile } from '../train/sampler_file.js';
import { createSampler, runTraining, type FinalIntegration, type TrainingProgress } from '../train/schedule.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import { count, percent, seconds, withError } from '../util/format.js';
import { addProcessOptions } from './process_options.js';
import { progressBar } from './progress.js';
import { VERSION } from './version.js';

interface TrainOptions {
  config?: string;
  seed: number;
  threads: number;
  out?: string;
  resume?: boolean;
  pdf?: string;
  mg5?: string;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function printTables(progress: TrainingProgress, final: FinalIntegration, samplerPath: string, wall: number): void {
  const out = process.stdout;
  const table = new Table({
    head: ['phase', 'σ over the phase [pb]', 'χ²/dof', 'σ, fresh points [pb]', 'rel. std', 'ε (≤1% overw.)', 'ε (max)', 'points', 'wall'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const p of progress.phases) {
    table.push([
      p.phase,
      withError(p.sigma, p.error),
      p.chi2_per_dof === null ? '-' : p.chi2_per_dof.toFixed(2),
      withError(p.final.sigma, p.final.error),
      p.final.relative_std.toFixed(3),
      percent(p.final.efficiency_truncated),
      percent(p.final.efficiency_max),
      count(p.points),
      seconds(p.wall_time_s),
    ]);
  }
  out.write(`\n${table.toString()}\n\n`);
  out.write(`  σ = ${withError(final.sigma, final.error)} pb  (${count(final.points)} fresh points, relative std of the weights ${final.relative_std.toFixed(3)})\n`);
  out.write(`  unweighting efficiency ε = ⟨w⟩/w_max: ${percent(final.efficiency_truncated)} with w_max leaving ≤ 1 % of σ in overweights` +
    ` (${percent(final.overweight_fraction_truncated, 3)} of points above it), ${percent(final.efficiency_max)} with the plain maximum,` +
    ` ${percent(final.efficiency_median_max)} with the median replica maximum\n`);
  out.write(`  unweighting with that w_max (≤ 1 % overweights) accepts ${percent(final.acceptance_truncated)} of points (overweight events kept with weight W/w_max)\n`);
  if (progress.history.dropped.length > 0) {
    out.write(`  dropped channels: ${progress.history.dropped.map((d) => `${d.channel + 1} (share ${d.share.toExponential(1)} at step ${d.step})`).join(', ')}\n`);
  }
  out.write(`  integrand evaluations: ${count(progress.points)}, wall time ${seconds(wall)}\n`);
  if (progress.invalid > 0) {
    out.write(`  WARNING: ${count(progress.invalid)} points had a non-finite weight or channel weight (NaN/inf from the integrand): excluded with weight 0 and counted; σ covers the rest of phase space only\n`);
  }
  out.write(`  sampler: ${samplerPath}\n`);
}

export function trainCommand(): Command {
  const command = new Command('train')
    .description('train a MadNIS sampler (VEGAS warm-up, normalizing flows, learned channel weights) on a process')
    .argument('[process]', 'builtin:NAME[?key=value&...] or the path of a process library', DEFAULT_PROCESS)
    .option('-c, --config <FILE>', 'madnis.yaml with training settings (defaults: templates/madnis.yaml)')
    .option('-o, --out <DIR>', 'output folder (default: madnis_out/train_<process>)')
    .option('--resume', 'continue from the last checkpoint in the output folder');
  addProcessOptions(command);
  return command.action(async (spec: string, options: TrainOptions) => {
    const parsed = parseProcessSpec(spec, { pdf: options.pdf, mg5: options.mg5 });
    const process_ = loadProcess(parsed, options.threads);
    const outDir = resolve(options.out ?? join('madnis_out', `train_${process_.info.name}`));
    const samplerPath = join(outDir, 'sampler.madnis');
    const checkpointPath = join(outDir, 'checkpoint.madnis');
    const identity = processIdentity(process_);

    let config: TrainConfig = loadTrainConfig(options.config);
    let seed = options.seed;
    let resumeProgress: TrainingProgress | undefined;
    let resumeFile: SamplerFile | undefined;
    if (options.resume) {
      if (!existsSync(checkpointPath)) throw new UserError(`--resume: no checkpoint in ${outDir} (a run writes checkpoint.madnis there while it trains)`);
      resumeFile = readSamplerFile(checkpointPath);
      if (resumeFile.process.spec !== identity.spec || !sameJson(resumeFile.process.parameters, identity.parameters)) {
        throw new UserError(`--resume: the checkpoint in ${outDir} was made for another process (${resumeFile.process.spec})`);
      }
      if (resumeFile.process.library_sha256 !== identity.library_sha256) {
        process.stderr.write(`madnis-ts: warning: ${identity.library} was rebuilt or changed since the checkpoint; training goes on with it\n`);
      }
      if (options.config && !sameJson(resumeFile.config, config)) throw new UserError(`--resume: ${options.config} differs from the configuration of the checkpointed run`);
      config = resumeFile.config;
      seed = resumeFile.seed;
      resumeProgress = resumeFile.progress;
      if (!resumeProgress) throw new UserError(`--resume: ${checkpointPath} holds no training progress`);
    }

    const sampler = createSampler(process_, config, seed);
    if (resumeFile) sampler.setState(decodeState(resumeFile.state));
    const fileFor = (state: ReturnType<typeof sampler.getState>, progress: TrainingProgress, result: FinalIntegration | null): SamplerFile =>
      makeSamplerFile(VERSION, identity, seed, config, state, progress.history, result);

    const bar = progressBar('train', 'units', true);
    const start = performance.now();
    let result;
    try {
      result = await runTraining(process_, sampler, config, seed, {
        onProgress: (done, total, s) => bar.update(done, total, { phase: s.phase, sigma: withError(s.sigma, s.error), eps: percent(s.efficiency, 1), loss: s.loss?.toExponential(2) ?? '-' }),
        onCheckpoint: (state, progress) => writeSamplerFile(checkpointPath, { ...fileFor(state, progress, null), progress }),
      }, resumeProgress);
    } finally {
      bar.stop();
    }
    const wall = (performance.now() - start) / 1000;
    writeSamplerFile(samplerPath, fileFor(result.state, result.progress, result.final));
    rmSync(checkpointPath, { force: true });

    const summary = {
      command: 'train',
      madnis_ts_version: VERSION,
      process: identity,
      seed,
      threads: options.threads,
      resumed: Boolean(options.resume),
      config,
      sampler_file: samplerPath,
      sigma_pb: result.final.sigma,
      sigma_error_pb: result.final.error,
      relative_std: result.final.relative_std,
      efficiency_definition: 'ε = ⟨w⟩/w_max over the final fresh sample (zero weights included); w_max: truncated = smallest value leaving ≤ overweight_share of σ in overweights, max = plain maximum, median_max = median over bootstrap replicas of N/R points of the replica maximum',
      final: result.final,
      phases: result.progress.phases,
      dropped_channels: result.progress.history.dropped,
      integrand_evaluations: result.progress.points,
      invalid_points: result.progress.invalid,
      wall_time_s: wall,
    };
    writeJsonAtomic(join(outDir, 'summary.json'), summary);
    process.stdout.write(`\nmadnis-ts train  ${spec}\n  ${process_.info.description}\n  seed ${seed}, ${options.threads} thread(s)${options.resume ? ', resumed from a checkpoint' : ''}\n`);
    printTables(result.progress, result.final, samplerPath, wall);
  });
}
