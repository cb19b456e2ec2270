/** Parsers for numeric CLI options: each rejects bad input with a message naming the option. */
import { availableParallelism } from 'node:os';

import { Command, InvalidArgumentError, Option } from 'commander';

import { CLUSTER_ENGINES, type ClusterEngine } from '../app/cluster_generate.js';
import { UserError } from '../util/errors.js';

function integerIn(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got '${text}'`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got '${text}'`);
  }
  return value;
}

/** A positive count for the option `name` (--points, --events, …): accepts 1000000, 1e6 or 1_000_000. */
export function parseCount(name: string): (text: string) => number {
  return (text) => {
    const cleaned = text.replace(/_/g, '');
    const value = /^\d+(\.\d+)?e\d+$/i.test(cleaned) ? Number(cleaned) : NaN;
    if (Number.isSafeInteger(value) && value > 0) return value;
    return integerIn(name, cleaned, 1, Number.MAX_SAFE_INTEGER);
  };
}

export const parsePoints = parseCount('--points');

export function parseSeed(text: string): number {
  return integerIn('--seed', text, 0, Number.MAX_SAFE_INTEGER);
}

export function parseThreads(text: string): number {
  return integerIn('--threads', text, 1, 256);
}

/** A share of σ left in overweights: (0, 0.5], as integration.overweight_share in madnis.yaml. */
export function parseOverweightShare(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value <= 0.5)) throw new InvalidArgumentError(`--overweight-share must be a number in (0, 0.5], got '${text}'`);
  return value;
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** The options several commands share, defined once. */
export const sharedOptions = {
  seed: (description = 'random seed (the same seed and thread count give identical numbers)') =>
    new Option('-s, --seed <S>', description).argParser(parseSeed).default(1),
  /** a seed that defaults to another run's (baseline) */
  seedOverride: (description: string) => new Option('-s, --seed <S>', description).argParser(parseSeed),
  threads: () => new Option('-t, --threads <T>', 'worker threads').argParser(parseThreads).default(defaultThreads(), 'all cores'),
  threadsOverride: (description: string) => new Option('-t, --threads <T>', description).argParser(parseThreads),
  pdf: () => new Option('--pdf <PATH>', 'PDF grid (NNPDF23_lo_as_0130_qed_mem0.grid) for hadron-collider built-ins'),
  mg5: () => new Option('--mg5 <DIR>', 'MadGraph5_aMC@NLO installation (else MG5_HOME or mg5_aMC on PATH)'),
  out: (description: string) => new Option('-o, --out <DIR>', description),
  config: (description = 'madnis.yaml with training settings (defaults: templates/madnis.yaml)') => new Option('-c, --config <FILE>', description),
  overweightShare: (description: string) => new Option('--overweight-share <F>', description).argParser(parseOverweightShare),
  events: (description = 'unweighted events to write') => new Option('-n, --events <N>', description).argParser(parseCount('--events')),
  /** the batch-cluster options of generate and launch: --cluster, --jobs, --retries, --poll */
  cluster: (what: string): Option[] => [
    new Option('--cluster <ENGINE>', `${what} as --jobs shards in one job array on a batch cluster, resubmit failed shards, merge`).choices(CLUSTER_ENGINES),
    new Option('--jobs <N>', 'shards (array tasks) for --cluster').argParser(parseCount('--jobs')),
    new Option('--retries <N>', 'with --cluster: resubmissions of a failed shard before it is reported').argParser((t) => Number(t === '0' ? 0 : parseCount('--retries')(t))).default(1),
    new Option('--poll <S>', 'with --cluster: seconds between looks at the queue').argParser(parseCount('--poll')).default(5),
  ],
};

export interface ClusterOptions {
  cluster?: ClusterEngine;
  jobs?: number;
  retries: number;
  poll: number;
}

/** --cluster and --jobs, checked together: the cluster run they ask for, or none. */
export function clusterChoice(options: ClusterOptions): { engine: ClusterEngine; jobs: number; retries: number; pollSeconds: number } | undefined {
  if (!options.cluster && !options.jobs) return undefined;
  if (!options.cluster || !options.jobs) throw new UserError('--cluster and --jobs go together: --cluster slurm --jobs N');
  return { engine: options.cluster, jobs: options.jobs, retries: options.retries, pollSeconds: options.poll };
}

/** Adds options to a command in order. */
export function withOptions(command: Command, ...options: Option[]): Command {
  for (const option of options) command.addOption(option);
  return command;
}
