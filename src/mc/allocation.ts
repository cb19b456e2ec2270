/**
 * How many points each channel gets: stratified ∝ √Var_c (the allocation that minimises
 * the variance of Σ_c σ_c), with a floor so no active channel starves, and none for
 * dropped channels. Deterministic: the same inputs give the same counts.
 */
export function allocatePoints(total: number, sqrtVariances: number[], active: boolean[], minFraction: number): number[] {
  const activeIndices = active.flatMap((a, c) => (a ? [c] : []));
  const nActive = activeIndices.length;
  if (nActive === 0) throw new Error('no active channel');
  const floor = minFraction / nActive;
  const sum = activeIndices.reduce((a, c) => a + Math.max(0, sqrtVariances[c] ?? 0), 0);
  const raw = active.map((a, c) => {
    if (!a) return 0;
    const share = sum > 0 && Number.isFinite(sum) ? Math.max(0, sqrtVariances[c] ?? 0) / sum : 1 / nActive;
    return Math.max(floor, share);
  });
  const norm = raw.reduce((a, r) => a + r, 0);
  const counts = raw.map((r) => Math.floor((r / norm) * total));
  // hand out the remainder by largest fractional part, then make sure every active
  // channel has at least 2 points (a variance needs two)
  let remainder = total - counts.reduce((a, n) => a + n, 0);
  const order = activeIndices.slice().sort((a, b) => (raw[b]! / norm) * total - counts[b]! - ((raw[a]! / norm) * total - counts[a]!) || a - b);
  for (let k = 0; remainder > 0; k = (k + 1) % order.length, --remainder) counts[order[k]!]! += 1;
  for (const c of activeIndices) {
    while (counts[c]! < 2) {
      const donor = counts.indexOf(Math.max(...counts));
      if (donor === c || counts[donor]! <= 2) break;
      counts[donor]! -= 1;
      counts[c]! += 1;
    }
  }
  return counts;
}
