/**
 * Which random numbers each use of a seed gets. The native core's streams are counter-based:
 * a point's numbers are a function of (seed, purpose, iteration, channel, point index); the
 * purpose (VEGAS, training step, integration, generation) is fixed by the native call, the
 * iteration is chosen by the caller. These are the iterations of the `integrate` purpose,
 * distinct so that no two integrations with one seed share points (in particular, a
 * generate presample with the training's seed never reuses the final integration's points).
 * Training steps use their step number, generation batches their batch number.
 */
export const INTEGRATION_ITERATION = {
  /** the fresh-point integration at the end of the VEGAS phase */
  vegasPhase: 1,
  /** the final integration of a trained sampler (its σ, w_max, efficiencies) */
  final: 2,
  /** the presample of `generate`, which fixes w_max and σ */
  generatePresample: 100,
} as const;
