/**
 * Which random numbers each use of a seed gets. The native core's streams are counter-based:
 * a point's numbers are a function of (seed, purpose, iteration, channel, point index); the
 * purpose (VEGAS, training step, integration, generation) is fixed by the native call, the
 * iteration is chosen by the caller. These are the iterations of the `integrate` purpose,
 * distinct so that no two integrations with one seed share points (in particular, a
 * generate presample with the training's seed never reuses the final integration's points).
 * Training steps use their step number, generation batches their batch number.
 */
import { UserError } from '../util/errors.js';

export const INTEGRATION_ITERATION = {
  /** the fresh-point integration at the end of the VEGAS phase */
  vegasPhase: 1,
  /** the final integration of a trained sampler (its σ, w_max, efficiencies) */
  final: 2,
  /** the presample of `generate`, which fixes w_max and σ */
  generatePresample: 100,
} as const;

/** The native stream keeps 20 bits of the iteration: generation batches use 0 … 2²⁰ − 1. */
export const ITERATION_LIMIT = 1 << 20;

/**
 * One of `count` shards of a generation: shard `index` (0-based) draws its batches from
 * iterations index, index + count, index + 2·count, …, so that shards with one seed never
 * share a point and together are one run split `count` ways. A plain run is shard 0 of 1.
 */
export interface Shard {
  index: number;
  count: number;
}

export const WHOLE_RUN: Shard = { index: 0, count: 1 };

/** The iteration of a shard's batch `batch` (its random stream), refused beyond the 20 bits. */
export function shardIteration(batch: number, shard: Shard): number {
  const iteration = shard.index + batch * shard.count;
  if (iteration >= ITERATION_LIMIT) {
    throw new UserError(
      `generation batch ${batch + 1} of shard ${shard.index}/${shard.count} would need random stream ${iteration}, beyond the ${ITERATION_LIMIT} the core keeps apart: use a larger --batch or fewer events per shard`,
    );
  }
  return iteration;
}

/** Whether two shards' streams (with one seed) share an iteration, given the batches each used. */
export function shardsOverlap(a: Shard & { batches: number }, b: Shard & { batches: number }): boolean {
  const used = new Set<number>();
  for (let k = 0; k < a.batches; ++k) used.add(a.index + k * a.count);
  for (let k = 0; k < b.batches; ++k) if (used.has(b.index + k * b.count)) return true;
  return false;
}
