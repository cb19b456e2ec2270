/**
 * `madnis-ts integrate <process>`: plain multi-channel Monte Carlo (uniform sampling in
 * each channel, prior channel weights). Prints σ ± δσ and the per-channel table, and
 * writes the same numbers to summary.json.
 */
import { join, resolve } from 'node:path';

import Table from 'cli-table3';
import { Command } from 'commander';

import { integratePlain, type PlainResult } from '../integrate/plain.js';
import { loadProcess, type LoadedProcess } from '../process/load.js';
import { DEFAULT_PROCESS, parseProcessSpec } from '../process/spec.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import { count, percent, seconds, withError } from '../util/format.js';
import { defaultThreads, parsePoints, parseSeed, parseThreads } from './options.js';
import { progressBar } from './progress.js';
import { VERSION } from './version.js';

interface IntegrateOptions {
  points: number;
  seed: number;
  threads: number;
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

export function buildSummary(process: LoadedProcess, options: IntegrateOptions, result: PlainResult, wallSeconds: number) {
  const ref = reference(process);
  return {
    command: 'integrate',
    madnis_ts_version: VERSION,
    process: {
      spec: process.spec.spec,
      name: process.info.name,
      description: process.info.description,
      library: process.spec.libraryPath,
      parameters: process.parameters,
      dimension: process.info.dimension,
      channels: process.info.channels,
    },
    sampler: 'uniform multi-channel (prior channel weights)',
    seed: options.seed,
    threads: options.threads,
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

function printResult(summary: ReturnType<typeof buildSummary>, summaryPath: string): void {
  const out = process.stdout;
  out.write(`\nmadnis-ts integrate  ${summary.process.spec}\n`);
  out.write(`  ${summary.process.description}\n`);
  out.write(`  ${summary.sampler}: ${count(summary.points_evaluated)} points, seed ${summary.seed}, ${summary.threads} thread(s)\n\n`);

  const table = new Table({
    head: ['channel', 'points', 'pass cuts', 'σ_c [pb]', 'share', 'rel. std'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const c of summary.channels) {
    table.push([
      `${c.channel} ${c.name}`,
      count(c.points),
      percent(c.points_passing_cuts / c.points, 1),
      withError(c.sigma_pb, c.sigma_error_pb),
      c.share === null ? '-' : percent(c.share, 1),
      c.relative_std.toFixed(3),
    ]);
  }
  out.write(`${table.toString()}\n\n`);
  out.write(`  σ = ${withError(summary.sigma_pb, summary.sigma_error_pb)} pb` +
    (summary.relative_error !== null ? `   (relative error ${percent(summary.relative_error, 3)})` : '') + '\n');
  if (summary.reference) {
    out.write(`  known value (${summary.reference.source}): ${summary.reference.sigma_pb.toPrecision(8)}, pull z = ${summary.reference.pull.toFixed(2)}\n`);
  }
  out.write(`  points evaluated: ${count(summary.points_evaluated)}, passing cuts: ${percent(summary.fraction_passing_cuts)}`);
  out.write(summary.invalid_weights > 0 ? `, invalid (NaN/inf) weights excluded: ${count(summary.invalid_weights)}\n` : '\n');
  out.write(`  wall time ${seconds(summary.wall_time_s)} (${count(Math.round(summary.points_per_second))} points/s)\n`);
  out.write(`  summary: ${summaryPath}\n`);
}

export function integrateCommand(): Command {
  return new Command('integrate')
    .description('integrate a process with plain multi-channel Monte Carlo (uniform sampling, prior channel weights)')
    .argument('[process]', 'builtin:NAME[?key=value&...] or the path of a process library', DEFAULT_PROCESS)
    .option('-n, --points <N>', 'phase-space points, split evenly over the channels', parsePoints, 1_000_000)
    .option('-s, --seed <S>', 'random seed (the same seed and thread count give identical numbers)', parseSeed, 1)
    .option('-t, --threads <T>', 'worker threads (default: all cores)', parseThreads, defaultThreads())
    .option('-o, --out <DIR>', 'output folder for summary.json (default: madnis_out/integrate_<process>)')
    .option('--pdf <PATH>', 'PDF grid (NNPDF23_lo_as_0130_qed_mem0.grid) for hadron-collider built-ins')
    .option('--mg5 <DIR>', 'MadGraph5_aMC@NLO installation (else MG5_HOME or mg5_aMC on PATH)')
    .addHelpText('after', `
Examples:
  madnis-ts integrate                                   # ${DEFAULT_PROCESS}, 10^6 points
  madnis-ts integrate 'builtin:ee_mumu?sqrts=500&cuts=mg5' -n 1e6
  madnis-ts integrate 'builtin:dy_zprime?zprime=off' --pdf NNPDF23_lo_as_0130_qed_mem0.grid`)
    .action(async (spec: string, options: IntegrateOptions) => {
      const parsed = parseProcessSpec(spec, { pdf: options.pdf, mg5: options.mg5 });
      const loaded = loadProcess(parsed, options.threads);
      if (options.points < loaded.info.channels) {
        throw new UserError(`--points ${options.points} is fewer than the ${loaded.info.channels} channels of ${spec}`);
      }
      const outDir = resolve(options.out ?? join('madnis_out', `integrate_${loaded.info.name}`));
      const bar = progressBar('integrate', 'points');
      const start = performance.now();
      let result: PlainResult;
      try {
        result = await integratePlain(loaded, { points: options.points, seed: options.seed, onProgress: (d, t) => bar.update(d, t) });
      } finally {
        bar.stop();
      }
      const summary = buildSummary(loaded, options, result, (performance.now() - start) / 1000);
      const summaryPath = join(outDir, 'summary.json');
      writeJsonAtomic(summaryPath, summary);
      printResult(summary, summaryPath);
    });
}
