/**
 * Training sized to the events asked for (launch): the flow training stops once its last
 * block of steps saved fewer generation points for those events than the block cost.
 *
 * Costs are counted in generation points, so the decision depends only on the seed (the
 * per-step efficiencies), never on timings: a block of B steps of N_b points costs
 * κ·B·N_b, κ (`training.training_point_cost`) being what one training point costs (its
 * flow and channel-weight gradients, its share of the buffered steps) in units of one
 * generated point (sampling and matrix element); measured here 6 (p p → t t̄) to 18
 * (the cheap built-in dy_zprime). Raising the acceptance from ε_prev to ε saves
 * N·(1/ε_prev − 1/ε) generated points for N events, with ε the mean per-step unweighting
 * efficiency of a block (the acceptance of unweighting, ≤ overweight share). When two
 * blocks in a row no longer repay themselves (one alone may be a dip of the noise) the
 * learning rate anneals to its final value over a short cooldown, then the training ends
 * (before the schedule's last step).
 */

/** What `launch` trains for. */
export interface TrainingBudget {
  /** unweighted events the sampler will generate */
  events: number;
}

export interface StoppingSettings {
  /** steps per block (the comparison's unit) */
  block: number;
  /** κ: cost of one training point in generated points */
  trainingPointCost: number;
  /** points per online step */
  batchSize: number;
}

export interface BlockVerdict {
  stop: boolean;
  /** mean per-step efficiency of the previous and of the last block */
  previous: number;
  last: number;
  /** generated points the last block saves for the budget's events, and what it cost */
  saving: number;
  cost: number;
}

function mean(values: number[]): number {
  return values.reduce((a, v) => a + v, 0) / values.length;
}

/**
 * The verdict on the last block of `efficiencies` (one per step, oldest first), or
 * undefined before two whole blocks exist or while an efficiency is still 0 (nothing
 * accepted yet: any improvement is worth it).
 */
export function judgeLastBlock(efficiencies: number[], budget: TrainingBudget, s: StoppingSettings): BlockVerdict | undefined {
  if (efficiencies.length < 2 * s.block) return undefined;
  const previous = mean(efficiencies.slice(-2 * s.block, -s.block));
  const last = mean(efficiencies.slice(-s.block));
  if (!(previous > 0) || !(last > 0)) return undefined;
  const saving = budget.events * (1 / previous - 1 / last);
  const cost = s.trainingPointCost * s.block * s.batchSize;
  return { stop: saving < cost, previous, last, saving, cost };
}

/** Whether the training should stop: the last two blocks both failed to repay themselves (the last one's verdict). */
export function shouldStop(efficiencies: number[], budget: TrainingBudget, s: StoppingSettings): BlockVerdict | undefined {
  const last = judgeLastBlock(efficiencies, budget, s);
  const before = judgeLastBlock(efficiencies.slice(0, -s.block), budget, s);
  return last?.stop && before?.stop ? last : undefined;
}

/** Why the flow training was not started: even a perfect flow could not repay it. */
export interface FlowSkipped {
  /** acceptance of the VEGAS sampler on its fresh points */
  acceptance: number;
  /** generated points a perfect flow (acceptance 1) would save for the events */
  saving: number;
  /** the cost of the shortest flow training: two blocks and the cooldown */
  cost: number;
  events: number;
}

/**
 * Before the flow training: whether even a flow that accepted every point could repay the
 * shortest training the stopping rule allows (2 blocks + cooldown steps), for N events
 * after a VEGAS warm-up accepting a fraction a: it saves at most N·(1/a − 1) points.
 */
export function flowCannotRepay(acceptance: number, budget: TrainingBudget, s: StoppingSettings & { cooldown: number }): FlowSkipped | undefined {
  if (!(acceptance > 0)) return undefined;
  const saving = budget.events * (1 / acceptance - 1);
  const cost = s.trainingPointCost * (2 * s.block + s.cooldown) * s.batchSize;
  return saving < cost ? { acceptance, saving, cost, events: budget.events } : undefined;
}

/** Where a stopped training ends and how its learning rate anneals meanwhile. */
export interface TrainingStop {
  /** the step whose block no longer repaid itself (0-based, the block's last step) */
  decided_at: number;
  /** the first step not run: decided_at + 1 + the cooldown's steps (at most the schedule's end) */
  end: number;
  /** learning rate at the decision, annealed (cosine) to the final one over the cooldown */
  learning_rate: number;
  verdict: BlockVerdict;
  events: number;
}

/** Learning rate of a cooldown step: cosine from the decision's rate to `final` at `stop.end − 1`. */
export function cooldownRate(stop: TrainingStop, final: number, step: number): number {
  const first = stop.decided_at + 1, steps = stop.end - first;
  const t = steps > 1 ? Math.min(1, (step - first) / (steps - 1)) : 1;
  return final + (stop.learning_rate - final) * 0.5 * (1 + Math.cos(Math.PI * t));
}
