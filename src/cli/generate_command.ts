/**
 * `madnis-ts generate <sampler.madnis> --events N`: unweighted events from a trained
 * sampler, streamed to OUT/Events/run_XX/unweighted_events.lhe.gz (MG5's layout), with
 * a summary of σ, w_max, acceptance and overweights.
 */
import { join, resolve } from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { generateEvents, type GenerateResult } from '../generate/run.js';
import { reopenSampler } from '../generate/reopen.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import { count, percent, seconds, withError } from '../util/format.js';
import { defaultThreads, parseCount, parseSeed, parseThreads } from './options.js';
import { progressBar } from './progress.js';
import { VERSION } from './version.js';

interface GenerateCliOptions {
  events: number;
  seed: number;
  threads: number;
  out?: string;
  batch: number;
  presample: number;
  overweightShare: number;
  trainingMaxWeight?: boolean;
  pdf?: string;
  mg5?: string;
}

function parseShare(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value < 0.5)) throw new InvalidArgumentError(`--overweight-share must be a number in (0, 0.5), got '${text}'`);
  return value;
}

/** How the weights were fixed, and the events per part (subprocess) when there are several. */
export function printNormalisation(result: GenerateResult): void {
  const n = result.normalisation;
  const out = process.stdout;
  if (n) out.write(`  weights: XWGTUP = σ·N·f/Σf (mean weight = <init> σ; unit weight ${n.unit_weight_pb.toPrecision(8)} pb, Σf = ${n.sum_weight_factors.toPrecision(8)} over ${count(n.events)} events)\n`);
  const parts = result.composition.parts;
  if (parts.length > 1) {
    out.write(`  events per subprocess: ${parts.map((p) => `${p.name} ${count(p.events)} (${percent(p.weight_share, 1)})`).join(', ')}\n`);
  }
}

export function generateCommand(): Command {
  return new Command('generate')
    .description('generate unweighted events (LHE) from a trained sampler')
    .argument('<sampler>', 'a sampler file written by `madnis-ts train` (sampler.madnis)')
    .requiredOption('-n, --events <N>', 'unweighted events to write', parseCount('--events'))
    .option('-s, --seed <S>', 'random seed for the generation', parseSeed, 1)
    .option('-t, --threads <T>', 'worker threads (default: all cores)', parseThreads, defaultThreads())
    .option('-o, --out <DIR>', 'output folder: events go to DIR/Events/run_XX/ (default: the sampler file\'s folder)')
    .option('--batch <N>', 'points drawn per batch', parseCount('--batch'), 65_536)
    .option('--presample <N>', 'points of the presample that fixes w_max and σ', parseCount('--presample'), 200_000)
    .option('--overweight-share <F>', 'w_max leaves at most this share of σ in overweight events', parseShare, 0.001)
    .option('--training-max-weight', "use w_max and σ of the sampler's final integration (fresh points) instead of a presample")
    .option('--pdf <PATH>', 'PDF grid for hadron-collider built-ins')
    .option('--mg5 <DIR>', 'MadGraph5_aMC@NLO installation (else MG5_HOME or mg5_aMC on PATH)')
    .action(async (samplerPath: string, options: GenerateCliOptions) => {
      const opened = reopenSampler(resolve(samplerPath), options.threads, { pdf: options.pdf, mg5: options.mg5 });
      if (opened.libraryChanged) {
        process.stderr.write(`madnis-ts: warning: ${opened.process.spec.spec} is not the library ${opened.path} was trained on (rebuilt or changed); the events stay unbiased, the efficiency may be lower\n`);
      }
      const outDir = resolve(options.out ?? join(resolve(samplerPath), '..'));
      let stop = false;
      const onSignal = () => {
        stop = true;
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const bar = progressBar('generate', 'events', true);
      let result;
      try {
        result = await generateEvents(opened, {
          events: options.events,
          seed: options.seed,
          outDir,
          batchPoints: options.batch,
          presamplePoints: options.trainingMaxWeight ? 0 : options.presample,
          overweightShare: options.overweightShare,
          useTrainingMaxWeight: Boolean(options.trainingMaxWeight),
          version: VERSION,
          onProgress: (done, target, acceptance) => bar.update(done, target, { phase: 'unweighting', sigma: '', eps: percent(acceptance, 1), loss: '-' }),
          shouldStop: () => stop,
        });
      } finally {
        bar.stop();
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      const g = result.generation;
      const summary = {
        command: 'generate',
        madnis_ts_version: VERSION,
        sampler_file: opened.path,
        sampler_sha256: opened.fileSha256,
        library_changed_since_training: opened.libraryChanged,
        process: opened.file.process.spec,
        seed: options.seed,
        threads: options.threads,
        completed: result.completed,
        events: result.events,
        lhe_file: result.completed ? result.lhePath : result.partialPath,
        sigma_pb: result.presample.sigma,
        sigma_error_pb: result.presample.error,
        sigma_source: result.presample.points > 0
          ? `presample of ${result.presample.points} fresh points (the <init> cross section)`
          : "the sampler's final integration (fresh points; the <init> cross section)",
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
        composition: result.composition,
        timing_s: result.timing,
        events_per_second: result.events / result.timing.wall_s,
      };
      writeJsonAtomic(join(result.runDir, 'summary.json'), summary);
      if (!result.completed) {
        throw new UserError(`interrupted after ${count(result.events)} events: the partial file ${result.partialPath} is not a complete run`);
      }
      const out = process.stdout;
      out.write(`\nmadnis-ts generate  ${opened.path}\n  ${opened.process.info.description}\n`);
      out.write(`  ${count(result.events)} unweighted events: ${result.lhePath}\n`);
      out.write(`  σ = ${withError(summary.sigma_pb, summary.sigma_error_pb)} pb (${summary.sigma_source}); from the generation points ${withError(g.sigma, g.error)} pb\n`);
      out.write(`  w_max = ${result.w_max.toExponential(4)} (${result.w_max_source})\n`);
      out.write(`  acceptance ${percent(g.acceptance)} ± ${percent(g.acceptance_error, 3)} measured on ${count(g.points)} points (expected ${percent(summary.expected_acceptance)})\n`);
      out.write(`  overweight events: ${count(g.overweight_events)} (${percent(summary.overweight_fraction, 3)} of events, ${percent(g.overweight_sigma_share, 3)} of σ in their excess weight)\n`);
      printNormalisation(result);
      if (g.invalid > 0) out.write(`  WARNING: ${count(g.invalid)} drawn points had a non-finite weight (NaN/inf from the integrand): excluded, never written\n`);
      const t = result.timing;
      out.write(`  wall ${seconds(t.wall_s)} (${count(Math.round(summary.events_per_second))} events/s); CPU: sampling ${seconds(t.sample_s)}, process ${seconds(t.evaluate_s)}, unweighting ${seconds(t.unweight_s)}; LHE writing ${seconds(t.write_s)}\n`);
      out.write(`  summary: ${join(result.runDir, 'summary.json')}\n`);
    });
}
