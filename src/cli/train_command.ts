/** `madnis-ts train <process>`: VEGAS warm-up, then MadNIS training (app/train.ts). */
import { Command } from 'commander';

import { train, type TrainInput } from '../app/train.js';
import { DEFAULT_PROCESS } from '../process/spec.js';
import { sharedOptions, withOptions } from './options.js';
import { printTraining } from './print.js';
import { terminalReporter } from './progress.js';

export function trainCommand(): Command {
  const command = new Command('train')
    .description('train a MadNIS sampler (VEGAS warm-up, normalizing flows, learned channel weights) on a process')
    .argument('[process]', 'builtin:NAME[?key=value&...] or the path of a process library', DEFAULT_PROCESS);
  return withOptions(command, sharedOptions.config(), sharedOptions.out('output folder (default: madnis_out/train_<process>)'))
    .option('--resume', 'continue from the last checkpoint in the output folder', false)
    .addOption(sharedOptions.seed())
    .addOption(sharedOptions.threads())
    .addOption(sharedOptions.pdf())
    .addOption(sharedOptions.mg5())
    .action(async (spec: string, options: Omit<TrainInput, 'spec'>) => {
      const { trained, summaryPath } = await train({ ...options, spec }, terminalReporter);
      process.stdout.write(`\nmadnis-ts train  ${spec}\n  ${trained.process.info.description}\n  seed ${trained.seed}, ${options.threads} thread(s)${options.resume ? ', resumed from a checkpoint' : ''}\n`);
      printTraining(trained);
      process.stdout.write(`  summary: ${summaryPath}\n`);
    });
}
