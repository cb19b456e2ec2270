/** From a native batch of accepted points to LHE events (MG5's conventions). */
import type { EventColumns, GeneratedBatch, ProcessInfo } from '../native/addon.js';
import type { LheEvent, LheParticle } from '../lhe/types.js';

/**
 * Event k of a batch. Unweighted events carry XWGTUP = σ (MG5's `event_norm average`,
 * IDWTUP = −4); an overweight event carries σ·W/w_max (generate rescales all of them at
 * the end so that their mean is σ).
 */
export function lheEvent(batch: GeneratedBatch, k: number, info: ProcessInfo, sigma: number): LheEvent {
  const record = batch.events;
  const n = record.externals;
  // MG5's layout: incoming 1, 2; then the intermediate resonances (status 2); then the
  // outgoing particles, each with the innermost resonance it comes from as mother
  const slots = record.resonances.length / (2 * record.count);
  const resonances: Array<{ pdg: number; mask: number; colour: [number, number] }> = [];
  for (let r = 0; r < slots; ++r) {
    const slot = 2 * (k * slots + r);
    const pdg = record.resonances[slot]!, mask = record.resonances[slot + 1]!;
    if (pdg === 0) break;
    resonances.push({ pdg, mask, colour: [record.resonanceColour[slot]!, record.resonanceColour[slot + 1]!] });
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
    return { e: record.momenta[p]!, px: record.momenta[p + 1]!, py: record.momenta[p + 2]!, pz: record.momenta[p + 3]! };
  };
  const particles: LheParticle[] = [];
  const external = (j: number): LheParticle => {
    const incoming = j < 2;
    const mother = incoming ? undefined : motherOf(1 << j);
    return {
      pdg: record.pdg[k * n + j]!,
      status: incoming ? -1 : 1,
      mothers: incoming ? [0, 0] : mother ? [mother, mother] : [1, 2],
      colour: [record.colour[2 * (k * n + j)]!, record.colour[2 * (k * n + j) + 1]!],
      ...momentum(j),
      m: info.mass[j]!,
      lifetime: 0,
      spin: record.helicity[k * n + j]!,
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
    // MG5 writes an intermediate particle's helicity as 0
    particles.push({
      pdg: r.pdg, status: 2, mothers: mother ? [mother, mother] : [1, 2], colour: r.colour,
      px, py, pz, e, m: Math.sqrt(Math.max(0, e * e - px * px - py * py - pz * pz)), lifetime: 0, spin: 0,
    });
  });
  for (let j = 2; j < n; ++j) particles.push(external(j));
  return {
    processId: 1,
    weight: sigma * batch.weightFactor[k]!,
    scale: record.muF[k]!,
    alphaQED: record.alphaQED[k]!,
    alphaS: record.alphaS[k]!,
    particles,
    trailer: systematicsBlock(record, k, info),
  };
}

// Fortran's E15.8: 0.12345678E+03
function fortranE(value: number): string {
  if (value === 0) return '0.00000000E+00'.padStart(15);
  const exponent = Math.floor(Math.log10(Math.abs(value))) + 1;
  let mantissa = Math.abs(value) / 10 ** exponent;
  let e = exponent;
  let digits = mantissa.toFixed(8);
  if (digits.startsWith('1')) {
    // rounding reached 1.0: 0.10000000E+(e+1)
    mantissa /= 10;
    e += 1;
    digits = mantissa.toFixed(8);
  }
  const sign = value < 0 ? '-' : '';
  return `${sign}${digits}E${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`.padStart(15);
}

/**
 * MG5's per-event systematics block (unwgt.f with use_syst, no matching): the power of α_s
 * and μ_R, each beam's parton, x and μ_F, and the PDF factor; MG5's `systematics` reweights
 * scales and PDFs from it. Written when the process gives the power of α_s.
 */
function systematicsBlock(record: EventColumns, k: number, info: ProcessInfo): string | undefined {
  const order = record.qcdOrder[k]!;
  if (order < 0) return undefined;
  const n = record.externals;
  const beam = (b: 0 | 1) => {
    if (!info.usesPdf || Math.abs(info.beams[b].pdg) < 100) return `<pdfrwt beam="${b + 1}">0</pdfrwt>\n`;
    const x = b === 0 ? record.x1[k]! : record.x2[k]!;
    return `<pdfrwt beam="${b + 1}">  1${String(record.pdg[k * n + b]!).padStart(9)}${fortranE(x)}${fortranE(record.muF[k]!)}</pdfrwt>\n`;
  };
  return `<mgrwt>\n<rscale>${String(order).padStart(3)}${fortranE(record.muR[k]!)}</rscale>\n<asrwt>0</asrwt>\n` +
    `${beam(0)}${beam(1)}<totfact>${fortranE(record.pdfFactor[k]!)}</totfact>\n</mgrwt>\n`;
}
