/** `madnis-ts generate <sampler.madnis> --events N`: unweighted events (app/generate.ts). */
import { Command, InvalidArgumentError } from 'commander';

import { generate, type GenerateInput } from '../app/generate.js';
import { parseCount, sharedOptions, withOptions } from './options.js';
import { printGenerate } from './print.js';
import { terminalReporter } from './progress.js';

function parseShare(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value < 0.5)) throw new InvalidArgumentError(`--overweight-share must be a number in (0, 0.5), got '${text}'`);
  return value;
}

type GenerateOptions = Omit<GenerateInput, 'sampler' | 'shouldStop' | 'trainingMaxWeight'> & { trainingMaxWeight?: boolean };

export function generateCommand(): Command {
  const command = new Command('generate')
    .description('generate unweighted events (LHE) from a trained sampler')
    .argument('<sampler>', 'a sampler file written by `madnis-ts train` (sampler.madnis)')
    .addOption(sharedOptions.events().makeOptionMandatory())
    .addOption(sharedOptions.seed('random seed for the generation'));
  return withOptions(command, sharedOptions.threads(),
    sharedOptions.out('output folder: events go to DIR/Events/run_XX/ (default: the sampler file\'s folder)'))
    .option('--batch <N>', 'points drawn per batch', parseCount('--batch'), 65_536)
    .option('--presample <N>', 'points of the presample that fixes w_max and σ', parseCount('--presample'), 200_000)
    .option('--overweight-share <F>', 'w_max leaves at most this share of σ in overweight events', parseShare, 0.001)
    .option('--training-max-weight', "use w_max and σ of the sampler's final integration (fresh points) instead of a presample")
    .option('--accept-changed-process', 'use a sampler whose process libraries or cards changed since its training, as a proposal for the new integrand (else refused)')
    .addOption(sharedOptions.pdf())
    .addOption(sharedOptions.mg5())
    .action(async (sampler: string, options: GenerateOptions) => {
      // a signal ends the run between batches, leaving the clearly named partial file
      let stop = false;
      const onSignal = () => {
        stop = true;
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        const run = await generate({ ...options, sampler, trainingMaxWeight: Boolean(options.trainingMaxWeight), shouldStop: () => stop }, terminalReporter);
        printGenerate(run.opened.process.info.description, run.result, run.summary, run.summaryPath);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
