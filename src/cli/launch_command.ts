/**
 * `madnis-ts launch proc_card.dat`: MG5 generates the process, madnis-ts trains on its
 * integrand and writes unweighted events, then compares with MG5's own run (app/launch.ts).
 */
import { Command } from 'commander';

import { DEFAULT_LAUNCH_EVENTS, launch, stopLaunch, type LaunchControl, type LaunchInput } from '../app/launch.js';
import { DEFAULT_OVERWEIGHT_SHARE } from '../train/config.js';
import { count, percent, seconds } from '../util/format.js';
import { clusterChoice, sharedOptions, withOptions, type ClusterOptions } from './options.js';
import { printHeadline, printNormalisation, printTraining } from './print.js';
import { terminalReporter } from './progress.js';

export function launchCommand(): Command {
  const command = new Command('launch')
    .description('generate a process with MadGraph5, train a MadNIS sampler on its integrand, write unweighted events')
    .argument('[proc_card]', 'MG5 process card (import model, define, generate, add process)')
    .option('--process-dir <DIR>', 'instead of a card: a MadEvent folder written by MG5\'s `output madnis` (its cards and madnis.yaml; files in DIR/madnis, events in DIR/Events)')
    .option('--run-card <FILE>', 'MG5 run_card.dat (default: MG5\'s for the process)')
    .option('--param-card <FILE>', 'MG5 param_card.dat (default: the model\'s)')
    .option('--set <KEY=VALUE>', 'an MG5 `set` command for the cards, e.g. --set ptj=30 --set ebeam1=6800 (repeatable; after madnis.yaml\'s cards.set)',
      (value: string, previous: string[] = []) => [...previous, value])
    .option('--resume', 'continue the training of an interrupted launch from its checkpoint');
  withOptions(command, sharedOptions.config('madnis.yaml with training settings'), sharedOptions.mg5(),
    sharedOptions.out('output folder (default: madnis_out/launch_<card name>)'), sharedOptions.events(`unweighted events to write (default: ${DEFAULT_LAUNCH_EVENTS}; with --process-dir the run card's nevents)`),
    sharedOptions.threads(), sharedOptions.seed('random seed for MG5, training and generation'))
    .option('--no-baseline', 'skip MG5\'s own event generation and the comparison report')
    .addOption(sharedOptions.overweightShare(`w_max of the events leaves at most this share of σ in overweights (default: madnis.yaml's integration.overweight_share, ${DEFAULT_OVERWEIGHT_SHARE} unless set)`));
  return withOptions(command, ...sharedOptions.cluster('write the events'))
    .action(async (card: string | undefined, given: Omit<LaunchInput, 'card' | 'cluster'> & ClusterOptions) => {
      const { cluster: _engine, jobs: _jobs, retries: _retries, poll: _poll, ...options } = given;
      const cluster = clusterChoice(given);
      // a signal stops MG5 and its jobs too, and leaves a summary saying how to go on
      const control: LaunchControl = { stage: 'starting' };
      const onSignal = (signal: NodeJS.Signals) => {
        process.stderr.write(`\nmadnis-ts: ${stopLaunch(control, signal)}\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let r;
      try {
        r = await launch({ ...options, card, cluster }, terminalReporter, control);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const out = (text: string) => process.stdout.write(text);
      out(`\nmadnis-ts launch  ${r.card.path}\n  ${r.card.processes.join('; ')}  (MG5: ${r.mg5.dir})\n`);
      printTraining(r.trained);
      out(`  ${count(r.events.events)} unweighted events: ${r.events.lhePath} (acceptance ${percent(r.events.generation.acceptance)} on ${count(r.events.generation.points)} points` +
        `${cluster ? `, ${cluster.jobs} shards on ${cluster.engine}, merged` : ''})\n`);
      printNormalisation(r.events);
      const wall = r.summary.wall_time_s;
      out(`  wall time: MG5 + build ${seconds(wall.mg5_and_build)}, training ${seconds(wall.training)}, events ${seconds(wall.generation)}\n`);
      if (r.comparison) {
        printHeadline(r.comparison);
        out(`  report: ${r.comparison.path}\n`);
      }
      out(`  summary: ${r.layout.summary}\n`);
    });
}
