/** `madnis-ts generate <sampler.madnis> --events N`: unweighted events (app/generate.ts). */
import { Command } from 'commander';

import { clusterGenerate } from '../app/cluster_generate.js';
import { generate, type GenerateInput } from '../app/generate.js';
import { ITERATION_LIMIT, type Shard } from '../mc/streams.js';
import { DEFAULT_OVERWEIGHT_SHARE } from '../train/config.js';
import { InvalidArgumentError } from 'commander';

import { clusterChoice, parseCount, sharedOptions, withOptions, type ClusterOptions } from './options.js';
import { printGenerate } from './print.js';
import { printMerge } from './merge_command.js';
import { UserError } from '../util/errors.js';
import { terminalReporter } from './progress.js';

type GenerateOptions = Omit<GenerateInput, 'sampler' | 'shouldStop' | 'trainingMaxWeight'> & ClusterOptions & { trainingMaxWeight?: boolean };

/** `i/N`: shard i (0-based) of N. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]), count = Number(match?.[2]);
  if (!match || !(count >= 1 && count <= ITERATION_LIMIT && index < count)) {
    throw new InvalidArgumentError(`--shard must be i/N with 0 <= i < N <= ${ITERATION_LIMIT}, got '${text}'`);
  }
  return { index, count };
}

export function generateCommand(): Command {
  const command = new Command('generate')
    .description('generate unweighted events (LHE) from a trained sampler or a gridpack, here or as shards on a batch cluster')
    .argument('<sampler>', 'a sampler file written by `madnis-ts train` (sampler.madnis), or a gridpack (.tar.gz from `madnis-ts gridpack`)')
    .addOption(sharedOptions.events().makeOptionMandatory())
    .addOption(sharedOptions.seed('random seed for the generation'));
  withOptions(command, sharedOptions.threads(),
    sharedOptions.out('output folder: events go to DIR/Events/run_XX/ (default: the sampler file\'s folder)'))
    .option('--batch <N>', 'points drawn per batch', parseCount('--batch'), 65_536)
    .option('--presample <N>', 'points of the presample that fixes w_max and σ', parseCount('--presample'), 200_000)
    .addOption(sharedOptions.overweightShare(`w_max leaves at most this share of σ in overweight events (default: the share the sampler was trained with, madnis.yaml's integration.overweight_share, ${DEFAULT_OVERWEIGHT_SHARE} unless set)`))
    .option('--training-max-weight', "use w_max and σ of the sampler's final integration (fresh points) instead of a presample")
    .option('--accept-changed-process', 'use a sampler whose process libraries or cards changed since its training, as a proposal for the new integrand (else refused)')
    .option('--shard <i/N>', "shard i of N (0-based): random streams disjoint from every other shard's, σ and w_max of the sampler's final integration; `madnis-ts merge` joins the shards", parseShard)
    .addOption(sharedOptions.pdf())
    .addOption(sharedOptions.mg5());
  return withOptions(command, ...sharedOptions.cluster('run the generation'))
    .action(async (sampler: string, options: GenerateOptions) => {
      // a signal ends the run between batches, leaving the clearly named partial file
      let stop = false;
      const onSignal = () => {
        stop = true;
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        const cluster = clusterChoice(options);
        if (cluster) {
          if (options.shard) throw new UserError('--cluster chooses the shards itself: drop --shard');
          const run = await clusterGenerate({
            sampler, cluster: cluster.engine, jobs: cluster.jobs, events: options.events, seed: options.seed, threads: options.threads, batch: options.batch,
            retries: cluster.retries, pollSeconds: cluster.pollSeconds, out: options.out, pdf: options.pdf, mg5: options.mg5, shouldStop: () => stop,
          }, terminalReporter);
          printMerge(run.summary, run.summaryPath);
          return;
        }
        const run = await generate({ ...options, sampler, trainingMaxWeight: Boolean(options.trainingMaxWeight), shouldStop: () => stop }, terminalReporter);
        printGenerate(run.opened.process.info.description, run.result, run.summary, run.summaryPath);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
