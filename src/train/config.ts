/**
 * madnis.yaml: every hyper-parameter of training, with its default. The documented
 * reference is templates/madnis.yaml (a test keeps it equal to these defaults).
 * Unknown keys and bad values are errors that name the key.
 */
import { readFileSync } from 'node:fs';

import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

import { UserError } from '../util/errors.js';

const activation = z.enum(['relu', 'leaky_relu', 'silu', 'tanh']);
// the networks' arithmetic (native/src/mlp.h): float32 products and activations, double parameters and gradients
const precision = z.enum(['float32', 'float64']);
const positiveInt = z.number().int().positive();

const vegasSchema = z
  .object({
    iterations: z.number().int().min(0).default(8),
    points_per_iteration: positiveInt.default(20_000),
    bins: z.number().int().min(2).max(1024).default(64),
    damping: z.number().min(0).max(2).default(0.7),
    // samples of the last iterations seed the replay buffer
    seed_buffer_iterations: z.number().int().min(0).default(2),
  })
  .strict();

const flowSchema = z
  .object({
    enabled: z.boolean().default(true),
    init: z.enum(['fixed_map', 'spline']).default('spline'),
    per_channel: z.boolean().default(true),
    // with per_channel: an MG5 config and its symmetric copies train one flow on all their
    // points. Off: a copy is not the same function of u as its config (mg5glue/README.md);
    // W+jj, 3 seeds: relative std 7.5/3.3/4.6 shared against 2.5/2.3/1.9 with a flow each
    // (bench:channel-weights), and with init fixed_map 2.3/3.4 against 2.4/2.4
    share_symmetric_copies: z.boolean().default(false),
    bins: z.number().int().min(2).max(64).default(10),
    min_bin_width: z.number().positive().max(0.05).default(1e-3),
    min_bin_height: z.number().positive().max(0.05).default(1e-3),
    min_derivative: z.number().positive().max(0.5).default(1e-3),
    hidden: positiveInt.default(32),
    layers: z.number().int().min(0).max(16).default(3),
    activation: activation.default('leaky_relu'),
    precision: precision.default('float32'),
    // what runs the networks (native/src/backend.h); only the CPU one exists
    backend: z.enum(['cpu']).default('cpu'),
  })
  .strict();

const channelWeightsSchema = z
  .object({
    enabled: z.boolean().default(true),
    hidden: positiveInt.default(32),
    layers: z.number().int().min(0).max(16).default(3),
    activation: activation.default('leaky_relu'),
    precision: precision.default('float32'),
    // trust region around the prior: the network's correction to log α_c is L·tanh(NN/L), so
    // α_c/prior_c stays within e^{±2L} and no event weighs more than e^{2L} times its weight
    // with the prior alone; null: unbounded
    max_log_ratio: z.number().positive().max(50).nullable().default(1),
  })
  .strict();

const trainingSchema = z
  .object({
    steps: z.number().int().min(0).default(400),
    batch_size: positiveInt.default(4096),
    loss: z.enum(['stratified_variance', 'variance', 'kl']).default('stratified_variance'),
    learning_rate: z.number().positive().max(1).default(3e-3),
    lr_schedule: z.enum(['cosine', 'exponential', 'constant']).default('cosine'),
    final_learning_rate: z.number().positive().max(1).default(1e-4),
    clip_norm: z.number().min(0).default(10),
    // Adam's moment decay rates and denominator offset
    adam_beta1: z.number().min(0).lt(1).default(0.9),
    adam_beta2: z.number().min(0).lt(1).default(0.999),
    adam_epsilon: z.number().positive().default(1e-8),
    buffer_capacity: z.number().int().min(0).default(8192),
    // buffered steps (no new integrand calls) after each online step
    buffered_steps: z.number().int().min(0).max(100).default(1),
    stratified_allocation: z.boolean().default(true),
    // each active channel keeps at least this fraction of an equal share of the points
    min_channel_fraction: z.number().min(0).max(1).default(0.02),
    allocation_update_every: positiveInt.default(10),
    // a channel contributing less than this fraction of σ is dropped (0: never)
    drop_threshold: z.number().min(0).max(0.5).default(1e-4),
    drop_after_step: z.number().int().min(0).default(100),
    checkpoint_every: positiveInt.default(50),
    // launch: stop once a block of steps saves fewer generated points for the requested
    // events than it costs (train/stopping.ts); `train` has no event count and runs every step
    stop_for_events: z.boolean().default(true),
    stop_block: positiveInt.default(25),
    // κ: one training point's cost in generated points (measured 6 to 18 here)
    training_point_cost: z.number().positive().default(10),
    cooldown_steps: z.number().int().min(0).default(25),
  })
  .strict();

/**
 * The one overweight policy: w_max is the smallest weight that leaves at most this share
 * of σ in the excess weight of overweight events (native/src/unweight.h). The training's
 * final integration (its ε and w_max), the unweighting of `launch` and `generate` (which
 * follows the sampler's share unless told otherwise) and the report all use it, so their
 * efficiencies and times describe the same events. MadGraph's own event combination truncates at about 1 %; MadGraph7
 * (madevent7) uses 0.1 %, which costs far more points on heavy-tailed weights.
 */
export const DEFAULT_OVERWEIGHT_SHARE = 0.01;

const integrationSchema = z
  .object({
    points: positiveInt.default(100_000),
    overweight_share: z.number().positive().max(0.5).default(DEFAULT_OVERWEIGHT_SHARE),
    bootstrap_replicas: positiveInt.default(50),
  })
  .strict();

// launch: MG5 `set` commands for the run and param cards (mg5/card_settings.ts)
const cardsSchema = z
  .object({
    set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    // a P folder's subprocesses per point: sum all (every matrix element), or sample one,
    // drawn as MadEvent does, the weight divided by its probability (the library's
    // subprocess=sample; W+jj: training 2.4× faster, ε 0.6×: not the default yet)
    subprocesses: z.enum(['sum', 'sample']).default('sum'),
  })
  .strict();

export const trainConfigSchema = z
  .object({
    vegas: vegasSchema.default(vegasSchema.parse({})),
    flow: flowSchema.default(flowSchema.parse({})),
    channel_weights: channelWeightsSchema.default(channelWeightsSchema.parse({})),
    training: trainingSchema.default(trainingSchema.parse({})),
    integration: integrationSchema.default(integrationSchema.parse({})),
    cards: cardsSchema.default(cardsSchema.parse({})),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;

export function defaultTrainConfig(): TrainConfig {
  return trainConfigSchema.parse({});
}

/** Validates a parsed object; `source` names it in errors (a file path). */
export function validateTrainConfig(raw: unknown, source: string): TrainConfig {
  const result = trainConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.join('.') || '(top level)';
  let why = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new UserError(`${source}: ${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')} (see templates/madnis.yaml for every key)`);
  }
  if (issue.code === 'invalid_value' && 'values' in issue) why = `expected one of ${issue.values.join(' | ')}`;
  throw new UserError(`${source}: bad value for '${key}': ${why}`);
}

/** Reads madnis.yaml (or the defaults without a file). */
export function loadTrainConfig(path?: string): TrainConfig {
  return loadTrainConfigWithKeys(path).config;
}

/** The configuration and the dotted keys the file set explicitly (e.g. "training.steps"). */
export function loadTrainConfigWithKeys(path?: string): { config: TrainConfig; explicit: Set<string> } {
  if (!path) return { config: defaultTrainConfig(), explicit: new Set() };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0]?.line;
      throw new UserError(`${path}${line ? ` line ${line}` : ''}: invalid YAML: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
  const explicit = new Set<string>();
  if (raw && typeof raw === 'object') {
    for (const [section, value] of Object.entries(raw as Record<string, unknown>)) {
      if (value && typeof value === 'object') for (const key of Object.keys(value)) explicit.add(`${section}.${key}`);
    }
  }
  return { config: validateTrainConfig(raw, path), explicit };
}
