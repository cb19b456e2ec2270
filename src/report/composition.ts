/**
 * What the events are made of, for both samplers: the share of σ per initial-state flavour
 * pair (beam 1, beam 2) and per subprocess folder, with a χ² of the two files' fractions.
 * Kinematic plots can agree while the composition is wrong (a sampler that writes too few
 * q q̄ events): this is the check that sees it.
 */
import type { LheEvent } from '../lhe/types.js';
import { flavourKey, particleName } from '../mg5/subprocesses.js';
import { chi2PValue, shapeChi2, type WeightedBin } from '../util/statistics.js';

export interface CompositionRow {
  category: string;
  madnis: { events: number; fraction: number; error: number };
  mg5: { events: number; fraction: number; error: number };
}

export interface CompositionComparison {
  id: 'initial_state' | 'subprocess';
  label: string;
  rows: CompositionRow[];
  /** Σ over categories of (f_a − f_b)²/(δf_a² + δf_b²), categories with < MIN_EVENTS events in both files pooled */
  chi2: number;
  ndf: number;
  p: number;
}

/** categories with fewer events than this in both files go into one pooled category for the χ² */
const MIN_EVENTS = 10;
const OTHER = 'other (pooled for the χ²)';
export const NOT_A_SUBPROCESS = 'flavours of no subprocess folder';

function incoming(event: LheEvent): number[] {
  return event.particles.filter((p) => p.status === -1).map((p) => p.pdg);
}

/** Weighted fractions per category with their errors √Σw²/Σw; the χ² of the two files. */
function compareCategories(id: CompositionComparison['id'], label: string, a: LheEvent[], b: LheEvent[], categorise: (e: LheEvent) => string): CompositionComparison {
  const tally = (events: LheEvent[]) => {
    const sums = new Map<string, { events: number; w: number; w2: number }>();
    let total = 0;
    for (const e of events) {
      const key = categorise(e);
      const t = sums.get(key) ?? { events: 0, w: 0, w2: 0 };
      t.events += 1;
      t.w += e.weight;
      t.w2 += e.weight * e.weight;
      sums.set(key, t);
      total += e.weight;
    }
    return { sums, total: total || 1 };
  };
  const ta = tally(a), tb = tally(b);
  const side = (t: ReturnType<typeof tally>, key: string) => {
    const s = t.sums.get(key) ?? { events: 0, w: 0, w2: 0 };
    return { events: s.events, fraction: s.w / t.total, error: Math.sqrt(s.w2) / t.total };
  };
  const keys = [...new Set([...ta.sums.keys(), ...tb.sums.keys()])];
  const rows = keys.map((category) => ({ category, madnis: side(ta, category), mg5: side(tb, category) }))
    .sort((x, y) => y.madnis.fraction + y.mg5.fraction - (x.madnis.fraction + x.mg5.fraction));
  // one χ² bin per category; the small ones pooled into one
  const large = (r: CompositionRow) => r.madnis.events >= MIN_EVENTS || r.mg5.events >= MIN_EVENTS;
  const binsOf = (t: ReturnType<typeof tally>) => {
    const bins: WeightedBin[] = [], pooled = { sum: 0, sumSq: 0 };
    for (const r of rows) {
      const s = t.sums.get(r.category) ?? { w: 0, w2: 0 };
      const target = large(r) ? (bins.push({ sum: 0, sumSq: 0 }), bins.at(-1)!) : pooled;
      target.sum += s.w;
      target.sumSq += s.w2;
    }
    return [...bins, pooled];
  };
  const { chi2, ndf } = shapeChi2(binsOf(ta), binsOf(tb), ta.total, tb.total);
  const shown = rows.map((r) => (large(r) ? r : { ...r, category: `${r.category} — ${OTHER}` }));
  return { id, label, rows: shown, chi2, ndf, p: ndf > 0 ? chi2PValue(chi2, ndf) : 1 };
}

/**
 * The comparisons: by initial state always; by subprocess folder when the flavour map of
 * the MadEvent folder is given (mg5/subprocesses.ts: subprocessOfFlavours).
 */
export function compareComposition(a: LheEvent[], b: LheEvent[], subprocessOf?: Map<string, string>): CompositionComparison[] {
  const out = [compareCategories('initial_state', 'initial-state flavours (beam 1, beam 2)', a, b, (e) => incoming(e).map(particleName).join(' '))];
  if (subprocessOf && subprocessOf.size > 0) {
    out.push(compareCategories('subprocess', 'subprocess folder', a, b, (e) => {
      const outgoing = e.particles.filter((p) => p.status === 1).map((p) => p.pdg);
      return subprocessOf.get(flavourKey(incoming(e), outgoing)) ?? NOT_A_SUBPROCESS;
    }));
  }
  return out;
}
