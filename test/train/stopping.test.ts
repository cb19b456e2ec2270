/**
 * Training sized to the events asked for (train/stopping.ts): the rule itself, and the
 * schedule that follows it — it stops early for few events and runs every step for many,
 * decides from the seed alone (the same seed gives the same steps and numbers for 1 and 2
 * threads), and the stopped sampler stays unbiased.
 */
import { describe, expect, it } from 'vitest';

import { createSampler, runTraining } from '../../src/train/schedule.js';
import { cooldownRate, flowCannotRepay, judgeLastBlock, shouldStop, type TrainingStop } from '../../src/train/stopping.js';
import { builtin, pull } from '../helpers.js';
import { smallConfig } from './small_config.js';

const settings = { block: 2, trainingPointCost: 10, batchSize: 100 };

describe('the stopping rule', () => {
  it('a block repays itself when N·(1/ε_prev − 1/ε) generated points exceed κ·B·batch', () => {
    expect(judgeLastBlock([0.5, 0.5, 0.5], { events: 1e6 }, settings)).toBeUndefined();
    // ε 0.5 → 0.6: saves N/3 points; the block costs 10·2·100 = 2000
    const few = judgeLastBlock([0.5, 0.5, 0.6, 0.6], { events: 3000 }, settings)!;
    expect(few.saving).toBeCloseTo(1000, 9);
    expect(few.cost).toBe(2000);
    expect(few.stop).toBe(true);
    expect(judgeLastBlock([0.5, 0.5, 0.6, 0.6], { events: 9000 }, settings)!.stop).toBe(false);
    // a block that made things worse never repays; nothing accepted yet: no verdict
    expect(judgeLastBlock([0.6, 0.6, 0.5, 0.5], { events: 1e12 }, settings)!.stop).toBe(true);
    expect(judgeLastBlock([0, 0, 0.1, 0.1], { events: 10 }, settings)).toBeUndefined();
  });

  it('stops only when two blocks in a row do not repay (one may be the noise)', () => {
    expect(shouldStop([0.5, 0.5, 0.6, 0.6, 0.6, 0.6], { events: 3000 }, settings)).toBeDefined();
    // the block before repaid: one dip is not enough
    expect(shouldStop([0.1, 0.1, 0.5, 0.5, 0.49, 0.49], { events: 1e6 }, settings)).toBeUndefined();
  });

  it('before the flow: skipped when even a flow accepting every point saves less than the shortest training costs', () => {
    const s = { ...settings, cooldown: 1 };
    // the shortest training: (2·2 + 1) steps × 100 points × κ 10 = 5000 point-equivalents
    expect(flowCannotRepay(0.5, { events: 4999 }, s)).toEqual({ acceptance: 0.5, saving: 4999, cost: 5000, events: 4999 });
    expect(flowCannotRepay(0.5, { events: 5001 }, s)).toBeUndefined();
    expect(flowCannotRepay(0, { events: 1 }, s)).toBeUndefined();
  });

  it('the cooldown anneals from the decision\'s rate to the final one at the last step', () => {
    const stop = { decided_at: 9, end: 15, learning_rate: 1e-3 } as TrainingStop;
    expect(cooldownRate(stop, 1e-4, 10)).toBeCloseTo(1e-3, 15);
    expect(cooldownRate(stop, 1e-4, 14)).toBeCloseTo(1e-4, 15);
    expect(cooldownRate(stop, 1e-4, 12)).toBeLessThan(1e-3);
    expect(cooldownRate(stop, 1e-4, 12)).toBeGreaterThan(1e-4);
  });
});

describe('a training with an event budget', () => {
  const config = smallConfig({ training: { steps: 120, batch_size: 1024, buffer_capacity: 2048, checkpoint_every: 10, stop_block: 10, cooldown_steps: 5 } });

  it('stops early for few events, later or never for very many; the same seed gives the same steps and numbers for 1 and 2 threads', async () => {
    const run = async (events: number, threads: number) => {
      const process = builtin('builtin:camel?channels=2', threads);
      return runTraining(process, createSampler(process, config, 3), config, 3, {}, undefined, { events });
    };
    const few = await run(1e6, 2);
    expect(few.progress.stop).toBeDefined();
    const stop = few.progress.stop!;
    expect(stop.verdict.saving).toBeLessThan(stop.verdict.cost);
    expect(stop.end).toBe(stop.decided_at + 1 + 5);
    expect(few.progress.history.flow).toHaveLength(stop.end);
    expect(few.progress.history.flow.at(-1)!.learning_rate).toBeCloseTo(config.training.final_learning_rate, 12);

    const oneThread = await run(1e6, 1);
    expect(oneThread.progress.stop).toEqual(stop);
    expect(oneThread.final.sigma).toBe(few.final.sigma);

    // for very many events only a training that no longer improves at all stops, and later
    const many = await run(1e15, 2);
    if (many.progress.stop) {
      expect(many.progress.stop.verdict.last).toBeLessThanOrEqual(many.progress.stop.verdict.previous);
      expect(many.progress.stop.decided_at).toBeGreaterThan(stop.decided_at);
    }
  });

  it('for a handful of events no flow is trained: VEGAS samples them, and σ stays unbiased', async () => {
    const process = builtin('builtin:camel?channels=2');
    const result = await runTraining(process, createSampler(process, config, 4), config, 4, {}, undefined, { events: 10 });
    expect(result.progress.flow_skipped).toBeDefined();
    expect(result.progress.phases.map((p) => p.phase)).toEqual(['VEGAS']);
    expect(result.progress.history.flow).toEqual([]);
    expect(Math.abs(pull(result.final.sigma, result.final.error, process.parameters.exact_integral as number))).toBeLessThan(4);
  });

  it('the stopped sampler stays unbiased: |pull| < 4 over 3 seeds', async () => {
    const process = builtin('builtin:camel?channels=2');
    const exact = process.parameters.exact_integral as number;
    for (const seed of [1, 2, 3]) {
      const result = await runTraining(process, createSampler(process, config, seed), config, seed, {}, undefined, { events: 1e6 });
      expect(result.progress.stop, `seed ${seed}`).toBeDefined();
      expect(Math.abs(pull(result.final.sigma, result.final.error, exact)), `seed ${seed}`).toBeLessThan(4);
    }
  });
});
