/** From a native batch of accepted points to LHE events (MG5's conventions). */
import type { GeneratedBatch, ProcessInfo } from '../native/addon.js';
import type { LheEvent, LheParticle } from '../lhe/types.js';

/**
 * Event k of a batch. Unweighted events carry XWGTUP = σ (MG5's `event_norm average`,
 * IDWTUP = −4); an overweight event carries σ·W/w_max.
 */
export function lheEvent(batch: GeneratedBatch, k: number, info: ProcessInfo, sigma: number): LheEvent {
  const n = info.pdg.length;
  // MG5's layout: incoming 1, 2; then the intermediate resonances (status 2); then the
  // outgoing particles, each with the innermost resonance it comes from as mother
  const slots = batch.resonances.length / (2 * batch.weightFactor.length);
  const resonances: Array<{ pdg: number; mask: number }> = [];
  for (let r = 0; r < slots; ++r) {
    const pdg = batch.resonances[2 * (k * slots + r)]!, mask = batch.resonances[2 * (k * slots + r) + 1]!;
    if (pdg === 0) break;
    resonances.push({ pdg, mask });
  }
  const bits = (mask: number) => { let c = 0; for (let m = mask; m; m &= m - 1) ++c; return c; };
  /** position (1-based) of the innermost resonance containing `mask`, else none */
  const motherOf = (mask: number, self = -1): number | undefined => {
    let best: number | undefined;
    resonances.forEach((r, i) => {
      if (i === self || (r.mask & mask) !== mask || r.mask === mask) return;
      if (best === undefined || bits(r.mask) < bits(resonances[best]!.mask)) best = i;
    });
    return best === undefined ? undefined : 3 + best;
  };
  const momentum = (j: number) => {
    const p = (k * n + j) * 4;
    return { e: batch.momenta[p]!, px: batch.momenta[p + 1]!, py: batch.momenta[p + 2]!, pz: batch.momenta[p + 3]! };
  };
  const particles: LheParticle[] = [];
  const external = (j: number): LheParticle => {
    const incoming = j < 2;
    const mother = incoming ? undefined : motherOf(1 << j);
    return {
      pdg: batch.pdg[k * n + j]!,
      status: incoming ? -1 : 1,
      mothers: incoming ? [0, 0] : mother ? [mother, mother] : [1, 2],
      colour: [batch.colour[2 * (k * n + j)]!, batch.colour[2 * (k * n + j) + 1]!],
      ...momentum(j),
      m: info.mass[j]!,
      lifetime: 0,
      spin: batch.helicity[k * n + j]!,
    };
  };
  particles.push(external(0), external(1));
  resonances.forEach((r, i) => {
    let e = 0, px = 0, py = 0, pz = 0;
    for (let j = 2; j < n; ++j) {
      if (!(r.mask & (1 << j))) continue;
      const p = momentum(j);
      e += p.e;
      px += p.px;
      py += p.py;
      pz += p.pz;
    }
    const mother = motherOf(r.mask, i);
    particles.push({
      pdg: r.pdg, status: 2, mothers: mother ? [mother, mother] : [1, 2], colour: [0, 0],
      px, py, pz, e, m: Math.sqrt(Math.max(0, e * e - px * px - py * py - pz * pz)), lifetime: 0, spin: 9,
    });
  });
  for (let j = 2; j < n; ++j) particles.push(external(j));
  return {
    processId: 1,
    weight: sigma * batch.weightFactor[k]!,
    scale: batch.muF[k]!,
    alphaQED: batch.alphaQED[k]!,
    alphaS: batch.alphaS[k]!,
    particles,
  };
}
