/**
 * Kinematic distributions of two event samples, compared bin by bin: the observables are
 * chosen from the final state (p_T and η of the leading object of each kind, the
 * invariant mass of each pair kind and of the whole final state), the binning from both
 * samples together, and each histogram is dσ/dx in pb per unit of x.
 */
import type { LheEvent, LheParticle } from '../lhe/types.js';
import { shapeChi2 } from '../util/statistics.js';

type Kind = 'lepton' | 'neutrino' | 'jet' | 'photon' | 'top' | 'boson' | 'other';

const KIND_LABEL: Record<Kind, string> = { lepton: 'ℓ', neutrino: 'ν', jet: 'j', photon: 'γ', top: 't', boson: 'V', other: 'X' };

function kindOf(pdg: number): Kind {
  const a = Math.abs(pdg);
  if (a === 11 || a === 13 || a === 15) return 'lepton';
  if (a === 12 || a === 14 || a === 16) return 'neutrino';
  if (a <= 5 || a === 21) return 'jet';
  if (a === 22) return 'photon';
  if (a === 6) return 'top';
  if (a === 23 || a === 24 || a === 25) return 'boson';
  return 'other';
}

const pt = (p: LheParticle) => Math.hypot(p.px, p.py);
function eta(p: LheParticle): number {
  const abs = Math.hypot(p.px, p.py, p.pz);
  if (abs - Math.abs(p.pz) < 1e-12 * abs) return Math.sign(p.pz) * 20;
  return 0.5 * Math.log((abs + p.pz) / (abs - p.pz));
}
function mass(ps: LheParticle[]): number {
  let e = 0, x = 0, y = 0, z = 0;
  for (const p of ps) {
    e += p.e;
    x += p.px;
    y += p.py;
    z += p.pz;
  }
  return Math.sqrt(Math.max(0, e * e - x * x - y * y - z * z));
}

export interface Observable {
  id: string;
  /** axis title, e.g. "p_T(j1) [GeV]" */
  label: string;
  value: (event: LheEvent) => number | undefined;
}

/** The observables for a final state (the outgoing particles of one event). */
export function chooseObservables(finalState: number[]): Observable[] {
  const byKind = new Map<Kind, number>();
  for (const pdg of finalState) byKind.set(kindOf(pdg), (byKind.get(kindOf(pdg)) ?? 0) + 1);
  const kinds = [...byKind.keys()].filter((k) => k !== 'other');
  const ranked = (event: LheEvent, kind: Kind) =>
    event.particles.filter((p) => p.status === 1 && kindOf(p.pdg) === kind).sort((a, b) => pt(b) - pt(a));
  const out: Observable[] = [];
  for (const kind of kinds) {
    const s = KIND_LABEL[kind];
    const n = byKind.get(kind)!;
    for (let i = 0; i < Math.min(n, 2); ++i) {
      const name = n > 1 ? `${s}${i + 1}` : s;
      out.push({ id: `pt_${kind}${i + 1}`, label: `p_T(${name}) [GeV]`, value: (e) => { const p = ranked(e, kind)[i]; return p && pt(p); } });
      if (kind !== 'neutrino') out.push({ id: `eta_${kind}${i + 1}`, label: `η(${name})`, value: (e) => { const p = ranked(e, kind)[i]; return p && eta(p); } });
    }
    if (n >= 2) out.push({ id: `m_${kind}${kind}`, label: `m(${s}${s}) [GeV]`, value: (e) => { const r = ranked(e, kind); return r.length >= 2 ? mass(r.slice(0, 2)) : undefined; } });
  }
  // lepton + neutrino: the W's mass when both are there
  if (byKind.has('lepton') && byKind.has('neutrino'))
    out.push({
      id: 'm_lv', label: 'm(ℓν) [GeV]',
      value: (e) => {
        const l = ranked(e, 'lepton')[0], v = ranked(e, 'neutrino')[0];
        return l && v ? mass([l, v]) : undefined;
      },
    });
  if (finalState.length > 2 || !out.some((o) => o.id.startsWith('m_')))
    out.push({ id: 'm_final', label: 'm(final state) [GeV]', value: (e) => mass(e.particles.filter((p) => p.status === 1)) });
  return out;
}

export interface Sample {
  /** per event and observable, NaN where undefined */
  values: Float64Array[];
  weights: Float64Array;
  sigma_pb: number;
}

/** Observable values and signed weights of every event (weights normalised so that Σ = σ). */
export function fillSample(events: LheEvent[], observables: Observable[], sigmaPb: number): Sample {
  const values = observables.map(() => new Float64Array(events.length));
  const weights = new Float64Array(events.length);
  let sum = 0;
  events.forEach((event, i) => {
    weights[i] = event.weight;
    sum += event.weight;
    observables.forEach((o, k) => { values[k]![i] = o.value(event) ?? Number.NaN; });
  });
  if (sum !== 0) for (let i = 0; i < weights.length; ++i) weights[i] = (weights[i]! * sigmaPb) / sum;
  return { values, weights, sigma_pb: sigmaPb };
}

export interface Histogram {
  edges: number[];
  /** dσ/dx per bin [pb / unit of x] and its statistical error */
  density: number[];
  error: number[];
}

export interface DistributionComparison {
  id: string;
  label: string;
  a: Histogram;
  b: Histogram;
  /** Σ over bins with entries of (a−b)²/(δa²+δb²) of the normalised shapes, ndf = bins − 1 */
  chi2: number;
  ndf: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}

function histogram(values: Float64Array, weights: Float64Array, edges: number[]): { sum: number[]; sumSq: number[] } {
  const bins = edges.length - 1, lo = edges[0]!, width = (edges[bins]! - lo) / bins;
  const sum = new Array<number>(bins).fill(0), sumSq = new Array<number>(bins).fill(0);
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    const b = Math.floor((v - lo) / width);
    if (b < 0 || b >= bins) return;
    sum[b]! += weights[i]!;
    sumSq[b]! += weights[i]! ** 2;
  });
  return { sum, sumSq };
}

/**
 * Compares two samples on every observable that varies (a 2 → 2 process at fixed energy has
 * one mass: nothing to plot), on a binning both share (1 %–99 % of the pooled values).
 */
export function compareSamples(observables: Observable[], a: Sample, b: Sample, bins = 25): DistributionComparison[] {
  return observables.flatMap((o, k) => {
    const pooled = [...a.values[k]!, ...b.values[k]!].filter(Number.isFinite).sort((x, y) => x - y);
    if (pooled.length === 0 || pooled.at(-1)! - pooled[0]! <= 1e-9 * Math.max(1, Math.abs(pooled[0]!))) return [];
    let lo = quantile(pooled, 0.01), hi = quantile(pooled, 0.99);
    if (o.id.startsWith('pt_') || o.id.startsWith('m_')) lo = Math.max(0, Math.min(lo, quantile(pooled, 0)));
    if (!(hi > lo)) hi = lo + 1;
    const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
    const width = (hi - lo) / bins;
    const ha = histogram(a.values[k]!, a.weights, edges), hb = histogram(b.values[k]!, b.weights, edges);
    const totalA = a.weights.reduce((s, w) => s + w, 0), totalB = b.weights.reduce((s, w) => s + w, 0);
    const binsOf = (h: { sum: number[]; sumSq: number[] }) => h.sum.map((sum, i) => ({ sum, sumSq: h.sumSq[i]! }));
    const { chi2, ndf } = shapeChi2(binsOf(ha), binsOf(hb), totalA, totalB);
    const toHistogram = (h: { sum: number[]; sumSq: number[] }): Histogram => ({
      edges, density: h.sum.map((s) => s / width), error: h.sumSq.map((s) => Math.sqrt(s) / width),
    });
    return [{ id: o.id, label: o.label, a: toHistogram(ha), b: toHistogram(hb), chi2, ndf }];
  });
}
