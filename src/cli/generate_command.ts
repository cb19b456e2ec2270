/** `madnis-ts generate <sampler.madnis> --events N`: unweighted events (app/generate.ts). */
import { Command } from 'commander';

import { generate, type GenerateInput } from '../app/generate.js';
import { DEFAULT_OVERWEIGHT_SHARE } from '../train/config.js';
import { parseCount, sharedOptions, withOptions } from './options.js';
import { printGenerate } from './print.js';
import { terminalReporter } from './progress.js';

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
    .addOption(sharedOptions.overweightShare(`w_max leaves at most this share of σ in overweight events (default: the share the sampler was trained with, madnis.yaml's integration.overweight_share, ${DEFAULT_OVERWEIGHT_SHARE} unless set)`))
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
