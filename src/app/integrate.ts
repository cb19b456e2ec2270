/**
 * Use case `integrate`: plain multi-channel Monte Carlo of a process (uniform points in
 * each channel, prior channel weights); its numbers go to OUT/summary.json.
 */
import { resolve } from 'node:path';

import { subprocessCrashHint } from '../mg5/build.js';
import { integratePlain, type PlainResult } from '../integrate/plain.js';
import { loadProcess, type LoadedProcess } from '../process/load.js';
import { parseProcessSpec } from '../process/spec.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { defaultOutDir, summaryPath } from './layout.js';
import { withProgress, type Reporter } from './reporter.js';

export interface IntegrateInput {
  spec: string;
  points: number;
  seed: number;
  threads: number;
  /** output folder (default madnis_out/integrate_<process>) */
  out?: string;
  pdf?: string;
  mg5?: string;
}

/** A known value of the integral to compare with, when the process provides one. */
function reference(process: LoadedProcess): { value: number; source: string } | undefined {
  const p = process.parameters;
  if (typeof p.exact_sigma_pb === 'number') return { value: p.exact_sigma_pb, source: 'closed form' };
  if (typeof p.exact_integral === 'number') return { value: p.exact_integral, source: 'closed form' };
  return undefined;
}

function integrateSummary(process: LoadedProcess, input: IntegrateInput, result: PlainResult, wallSeconds: number) {
  const ref = reference(process);
  return {
    command: 'integrate' as const,
    madnis_ts_version: VERSION,
    process: {
      spec: process.spec.spec,
      name: process.info.name,
      description: process.info.description,
      library: process.spec.parts.map((p) => p.libraryPath).join(','),
      parameters: process.parameters,
      dimension: process.info.dimension,
      channels: process.info.channels,
    },
    sampler: 'uniform multi-channel (prior channel weights)',
    seed: input.seed,
    threads: input.threads,
    sigma_pb: result.sigma,
    sigma_error_pb: result.sigmaError,
    relative_error: result.sigma !== 0 ? result.sigmaError / Math.abs(result.sigma) : null,
    points_evaluated: result.points,
    points_passing_cuts: result.passingCuts,
    fraction_passing_cuts: result.passingCuts / result.points,
    invalid_weights: result.invalidWeights,
    channels: result.channels.map((c) => ({
      channel: c.channel + 1,
      name: c.name,
      points: c.points,
      points_passing_cuts: c.passingCuts,
      sigma_pb: c.sigma,
      sigma_error_pb: c.sigmaError,
      share: result.sigma !== 0 ? c.sigma / result.sigma : null,
      relative_std: c.relativeStd,
    })),
    reference: ref
      ? { sigma_pb: ref.value, source: ref.source, pull: (result.sigma - ref.value) / result.sigmaError }
      : null,
    wall_time_s: wallSeconds,
    points_per_second: result.points / wallSeconds,
  };
}

export type IntegrateSummary = ReturnType<typeof integrateSummary>;

export async function integrate(input: IntegrateInput, reporter: Reporter): Promise<{ summary: IntegrateSummary; summaryPath: string }> {
  const loaded = loadProcess(parseProcessSpec(input.spec, { pdf: input.pdf, mg5: input.mg5 }), input.threads, { crashHint: subprocessCrashHint });
  if (input.points < loaded.info.channels) {
    throw new UserError(`--points ${input.points} is fewer than the ${loaded.info.channels} channels of ${input.spec}`);
  }
  const outDir = resolve(input.out ?? defaultOutDir('integrate', loaded.info.name));
  const start = performance.now();
  const result = await withProgress(reporter, 'integrate', 'points', false, (bar) =>
    integratePlain(loaded, { points: input.points, seed: input.seed, onProgress: (d, t) => bar.update(d, t) }));
  const summary = integrateSummary(loaded, input, result, (performance.now() - start) / 1000);
  const path = summaryPath(outDir);
  writeJsonAtomic(path, summary);
  return { summary, summaryPath: path };
}
