/**
 * `madnis-ts launch proc_card.dat`: MG5 generates and compiles the process, madnis-ts
 * builds a process library from MG5's own integrand, trains the sampler on it and writes
 * unweighted events — in OUT/ (process/, build/, logs/, sampler.madnis, Events/run_XX/,
 * summary.json).
 */
import { rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { Command } from 'commander';

import { readProcCard } from '../cards/proc_card.js';
import { reopenSampler } from '../generate/reopen.js';
import { generateEvents } from '../generate/run.js';
import { BASELINE_RUN, runBaseline } from '../mg5/baseline.js';
import { prepareProcess } from '../mg5/launch.js';
import { requireMg5 } from '../mg5/locate.js';
import { loadProcess } from '../process/load.js';
import { parseProcessSpec } from '../process/spec.js';
import { mg5ChannelLabels, reportLaunch, type LaunchSummary } from '../report/launch_report.js';
import { loadTrainConfigWithKeys } from '../train/config.js';
import { makeSamplerFile, processIdentity, writeSamplerFile } from '../train/sampler_file.js';
import { createSampler, runTraining } from '../train/schedule.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { count, percent, seconds, withError } from '../util/format.js';
import { defaultThreads, parseCount, parseSeed, parseThreads } from './options.js';
import { progressBar, withSpinner } from './progress.js';
import { printNormalisation } from './generate_command.js';
import { printHeadline } from './report_command.js';
import { printTables } from './train_command.js';
import { VERSION } from './version.js';

const VEGAS_POINTS_PER_CHANNEL = 5000;
const VEGAS_MAX_POINTS = 2_000_000;

interface LaunchOptions {
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

export function launchCommand(): Command {
  return new Command('launch')
    .description('generate a process with MadGraph5, train a MadNIS sampler on its integrand, write unweighted events')
    .argument('<proc_card>', 'MG5 process card (import model, define, generate, add process)')
    .option('--run-card <FILE>', 'MG5 run_card.dat (default: MG5\'s for the process)')
    .option('--param-card <FILE>', 'MG5 param_card.dat (default: the model\'s)')
    .option('-c, --config <FILE>', 'madnis.yaml with training settings')
    .option('--mg5 <DIR>', 'MadGraph5_aMC@NLO installation (else MG5_HOME or mg5_aMC on PATH)')
    .option('-o, --out <DIR>', 'output folder (default: madnis_out/launch_<card name>)')
    .option('-n, --events <N>', 'unweighted events to write', parseCount('--events'), 10_000)
    .option('-t, --threads <T>', 'worker threads (default: all cores)', parseThreads, defaultThreads())
    .option('-s, --seed <S>', 'random seed for MG5, training and generation', parseSeed, 1)
    .option('--no-baseline', 'skip MG5\'s own event generation and the comparison report')
    .action(async (cardPath: string, options: LaunchOptions) => {
      const card = readProcCard(resolve(cardPath));
      const mg5 = requireMg5(options.mg5);
      const { config, explicit } = loadTrainConfigWithKeys(options.config);
      // MadEvent's integrand can depend on the channel: its default dynamical scale clusters
      // the event along the channel's own diagram. The multi-channel sum is then only the
      // cross section MG5 reports with MG5's own (prior) channel weights; learned channel
      // weights or dropped channels would integrate something else (seen on W+jj: +6 %).
      // Keep the prior unless the user's madnis.yaml asks otherwise.
      const kept: string[] = [];
      if (!explicit.has('channel_weights.enabled')) {
        config.channel_weights.enabled = false;
        kept.push('channel_weights.enabled: false');
      }
      if (!explicit.has('training.drop_threshold')) {
        config.training.drop_threshold = 0;
        kept.push('training.drop_threshold: 0');
      }

      const outDir = resolve(options.out ?? join('madnis_out', `launch_${basename(cardPath).replace(/\.[^.]*$/, '')}`));
      const start = performance.now();

      const prepared = await withSpinner(
        'MG5', 'MG5 step failed',
        (onStep) => prepareProcess({
          card, mg5, outDir, runCard: options.runCard && resolve(options.runCard), paramCard: options.paramCard && resolve(options.paramCard),
          seed: options.seed, version: VERSION, onStep,
        }),
        (p) => `process ready: ${p.libraries.map((l) => l.library).join(', ')}${p.libraries.every((l) => !l.rebuilt) ? ' (reused)' : ''}`,
      );
      const prepareSeconds = (performance.now() - start) / 1000;
      if (kept.length) {
        process.stderr.write(`madnis-ts: note: MG5's channels keep MadEvent's own channel weights (${kept.join(', ')}): its default scale depends on the channel's diagram\n`);
      }

      // one library per subprocess folder; together one process (channels concatenated)
      const loaded = loadProcess(parseProcessSpec(prepared.libraries.map((l) => l.library).join(',')), options.threads);
      // MadEvent processes have many channels (W+jj: 36); VEGAS needs a few thousand points per
      // channel and iteration to adapt every grid, more than the built-ins' default.
      const perIteration = Math.max(config.vegas.points_per_iteration, Math.min(VEGAS_MAX_POINTS, VEGAS_POINTS_PER_CHANNEL * loaded.info.channels));
      if (!explicit.has('vegas.points_per_iteration') && perIteration > config.vegas.points_per_iteration) {
        config.vegas.points_per_iteration = perIteration;
        process.stderr.write(`madnis-ts: note: ${loaded.info.channels} channels: VEGAS draws ${count(perIteration)} points per iteration (${count(VEGAS_POINTS_PER_CHANNEL)} per channel; vegas.points_per_iteration in madnis.yaml overrides)\n`);
      }
      const identity = processIdentity(loaded);
      const sampler = createSampler(loaded, config, options.seed);
      const bar = progressBar('train', 'units', true);
      const trainStart = performance.now();
      let trained;
      try {
        trained = await runTraining(loaded, sampler, config, options.seed, {
          onProgress: (done, total, s) => bar.update(done, total, { phase: s.phase, sigma: withError(s.sigma, s.error), eps: percent(s.efficiency, 1), loss: s.loss?.toExponential(2) ?? '-' }),
          onCheckpoint: (state, progress) => writeSamplerFile(join(outDir, 'checkpoint.madnis'), { ...makeSamplerFile(VERSION, identity, options.seed, config, state, progress.history, null), progress }),
        });
      } finally {
        bar.stop();
      }
      const trainSeconds = (performance.now() - trainStart) / 1000;
      const samplerPath = join(outDir, 'sampler.madnis');
      writeSamplerFile(samplerPath, makeSamplerFile(VERSION, identity, options.seed, config, trained.state, trained.progress.history, trained.final));
      rmSync(join(outDir, 'checkpoint.madnis'), { force: true });

      const opened = reopenSampler(samplerPath, options.threads);
      const events = await generateEvents(opened, {
        // w_max and σ from the training's final integration (fresh points of the trained sampler)
        events: options.events, seed: options.seed, outDir, batchPoints: 65_536, presamplePoints: 0,
        overweightShare: config.integration.overweight_share, useTrainingMaxWeight: true, version: VERSION,
      });
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
        seed: options.seed,
        threads: options.threads,
        config,
        sampler_file: samplerPath,
        sigma_pb: trained.final.sigma,
        sigma_error_pb: trained.final.error,
        training: { phases: trained.progress.phases, final: trained.final, integrand_evaluations: trained.progress.points, invalid_points: trained.progress.invalid, history: trained.progress.history },
        events: {
          file: events.lhePath, count: events.events, w_max: events.w_max, acceptance: events.generation.acceptance,
          presample_sigma_pb: events.presample.sigma, presample_sigma_error_pb: events.presample.error, overweight_events: events.generation.overweight_events,
          // every point the events cost (w_max and σ come from the training's final integration)
          points: events.presample.points + events.generation.points, wall_s: events.timing.wall_s,
          normalisation: events.normalisation, composition: events.composition,
        },
        wall_time_s: { mg5_and_build: prepareSeconds, training: trainSeconds, generation: events.timing.wall_s },
      };
      writeJsonAtomic(join(outDir, 'summary.json'), summary);
      const out = process.stdout;
      out.write(`\nmadnis-ts launch  ${card.path}\n  ${card.processes.join('; ')}  (MG5: ${mg5.dir})\n`);
      printTables(trained.progress, trained.final, samplerPath, trainSeconds);
      out.write(`  ${count(events.events)} unweighted events: ${events.lhePath} (acceptance ${percent(events.generation.acceptance)} on ${count(events.generation.points)} points)\n`);
      printNormalisation(events);
      out.write(`  wall time: MG5 + build ${seconds(prepareSeconds)}, training ${seconds(trainSeconds)}, events ${seconds(events.timing.wall_s)}\n`);
      if (!options.baseline) {
        out.write(`  summary: ${join(outDir, 'summary.json')}\n`);
        return;
      }
      // MG5's own event generation on a copy of the folder, then the comparison report
      const baseline = await withSpinner(
        'MG5 baseline', 'MG5 baseline failed',
        (onStep) => runBaseline({
          mg5, processDir: prepared.processDir, outDir: join(outDir, 'baseline'), events: options.events, seed: options.seed,
          threads: options.threads, version: VERSION, onStep,
        }),
        (b) => `MG5 baseline: ${count(b.events)} events in ${seconds(b.wall_time_s)} (Events/${BASELINE_RUN} of ${b.process_dir})`,
      );
      const report = await reportLaunch(outDir, summary, baseline);
      printHeadline(report);
      out.write(`  report: ${report.path}\n  summary: ${join(outDir, 'summary.json')}\n`);
    });
}
