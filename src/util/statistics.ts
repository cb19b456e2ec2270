/** Statistics shared by the report and the tests: the χ² survival function (p-value). */

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), ~1e-15 relative
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61503916999185, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; ++i) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a, term = sum;
    for (let n = 1; n < 1000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  // continued fraction (Lentz)
  let b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (let i = 1; i < 1000; ++i) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** P(χ²_ndf ≥ chi2). */
export function chi2PValue(chi2: number, ndf: number): number {
  return gammaQ(ndf / 2, chi2 / 2);
}

/** One bin of a weighted sample: Σw and Σw². */
export interface WeightedBin {
  sum: number;
  sumSq: number;
}

/**
 * χ² of two weighted samples' shapes (each normalised to its own total): Σ over bins with
 * any variance of (p_a − p_b)²/(σ_a² + σ_b²), p = Σw/W and σ² = Σw²/W²; ndf = bins − 1.
 */
export function shapeChi2(a: WeightedBin[], b: WeightedBin[], totalA: number, totalB: number): { chi2: number; ndf: number } {
  let chi2 = 0, used = 0;
  for (let i = 0; i < a.length; ++i) {
    const va = a[i]!.sumSq / totalA ** 2, vb = b[i]!.sumSq / totalB ** 2;
    if (va + vb <= 0) continue;
    chi2 += (a[i]!.sum / totalA - b[i]!.sum / totalB) ** 2 / (va + vb);
    ++used;
  }
  return { chi2, ndf: Math.max(0, used - 1) };
}
