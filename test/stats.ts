/** Statistics for tests: histogram comparison (the χ² p-value lives in src/util/statistics.ts). */

export { chi2PValue } from '../src/util/statistics.js';
import { chi2PValue } from '../src/util/statistics.js';

export interface Histogram {
  edges: number[];
  sum: number[];
  sumSq: number[];
}

export function histogram(lo: number, hi: number, bins: number): Histogram {
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins), sum: new Array(bins).fill(0), sumSq: new Array(bins).fill(0) };
}

export function fill(h: Histogram, x: number, w = 1): void {
  const bins = h.sum.length, lo = h.edges[0]!, hi = h.edges[bins]!;
  if (!(x >= lo && x < hi)) return;
  const i = Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo)) * bins));
  h.sum[i]! += w;
  h.sumSq[i]! += w * w;
}

/**
 * χ² between unweighted event counts and a weighted-sample histogram normalised to the
 * same total, each bin's variance the Poisson variance of the counts plus the weighted
 * histogram's own Σw² (scaled); bins with fewer than 5 expected events are merged away.
 */
export function compareUnweightedToWeighted(counts: Histogram, weighted: Histogram): { chi2: number; ndf: number; p: number } {
  const n = counts.sum.reduce((a, b) => a + b, 0);
  const total = weighted.sum.reduce((a, b) => a + b, 0);
  const scale = n / total;
  let chi2 = 0, used = 0;
  for (let i = 0; i < counts.sum.length; ++i) {
    const expected = weighted.sum[i]! * scale;
    if (expected < 5) continue;
    const variance = expected + weighted.sumSq[i]! * scale * scale;
    chi2 += (counts.sum[i]! - expected) ** 2 / variance;
    ++used;
  }
  const ndf = used - 1;
  return { chi2, ndf, p: chi2PValue(chi2, ndf) };
}
