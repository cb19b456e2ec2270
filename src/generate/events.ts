/** From a native batch of accepted points to LHE events (MG5's conventions). */
import type { GeneratedBatch, ProcessInfo } from '../native/addon.js';
import type { LheEvent, LheParticle } from '../lhe/types.js';

/**
 * Event k of a batch. Unweighted events carry XWGTUP = σ (MG5's `event_norm average`,
 * IDWTUP = −4); an overweight event carries σ·W/w_max.
 */
export function lheEvent(batch: GeneratedBatch, k: number, info: ProcessInfo, sigma: number): LheEvent {
  const n = info.pdg.length;
  const particles: LheParticle[] = [];
  for (let j = 0; j < n; ++j) {
    const p = (k * n + j) * 4;
    const incoming = j < 2;
    particles.push({
      pdg: batch.pdg[k * n + j]!,
      status: incoming ? -1 : 1,
      mothers: incoming ? [0, 0] : [1, 2],
      colour: [batch.colour[2 * (k * n + j)]!, batch.colour[2 * (k * n + j) + 1]!],
      px: batch.momenta[p + 1]!,
      py: batch.momenta[p + 2]!,
      pz: batch.momenta[p + 3]!,
      e: batch.momenta[p]!,
      m: info.mass[j]!,
      lifetime: 0,
      spin: batch.helicity[k * n + j]!,
    });
  }
  return {
    processId: 1,
    weight: sigma * batch.weightFactor[k]!,
    scale: batch.muF[k]!,
    alphaQED: batch.alphaQED[k]!,
    alphaS: batch.alphaS[k]!,
    particles,
  };
}
