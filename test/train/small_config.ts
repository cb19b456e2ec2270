import { validateTrainConfig, type TrainConfig } from '../../src/train/config.js';

/** A few seconds of training: enough to exercise every phase, not to converge. */
export const SMALL_CONFIG_YAML = `
vegas: {iterations: 4, points_per_iteration: 4000}
flow: {hidden: 16, layers: 2}
channel_weights: {hidden: 16, layers: 2}
training: {steps: 30, batch_size: 1024, buffer_capacity: 2048, checkpoint_every: 10, drop_after_step: 10}
integration: {points: 20000}
`;

export function smallConfig(overrides: Record<string, unknown> = {}): TrainConfig {
  const base = {
    vegas: { iterations: 4, points_per_iteration: 4000 },
    flow: { hidden: 16, layers: 2 },
    channel_weights: { hidden: 16, layers: 2 },
    training: { steps: 30, batch_size: 1024, buffer_capacity: 2048, checkpoint_every: 10, drop_after_step: 10 },
    integration: { points: 20000 },
  };
  return validateTrainConfig({ ...base, ...overrides }, 'test config');
}
