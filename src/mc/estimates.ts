/** Cross sections from per-channel moments, and the consistency of a series of them. */
import type { ChannelMoments } from '../native/addon.js';

export interface Estimate {
  sigma: number;
  error: number;
}

/** σ = Σ_c ⟨w⟩_c and δσ² = Σ_c Var_c/n_c (unbiased variance) for one stratified batch. */
export function estimateFromMoments(channels: ChannelMoments[]): Estimate & { perChannel: Estimate[] } {
  const perChannel = channels.map((m): Estimate => {
    if (m.n < 2) return { sigma: m.n === 1 ? m.mean : 0, error: 0 };
    const variance = Math.max(0, m.variance) * (m.n / (m.n - 1));
    return { sigma: m.mean, error: Math.sqrt(variance / m.n) };
  });
  return {
    sigma: perChannel.reduce((a, c) => a + c.sigma, 0),
    error: Math.sqrt(perChannel.reduce((a, c) => a + c.error ** 2, 0)),
    perChannel,
  };
}

/** Inverse-variance weighted mean of independent estimates and χ²/dof about it. */
export function combineEstimates(estimates: Estimate[]): Estimate & { chi2PerDof: number | null } {
  const usable = estimates.filter((e) => e.error > 0 && Number.isFinite(e.sigma));
  if (usable.length === 0) return { sigma: NaN, error: NaN, chi2PerDof: null };
  const weights = usable.map((e) => 1 / e.error ** 2);
  const total = weights.reduce((a, w) => a + w, 0);
  const sigma = usable.reduce((a, e, i) => a + weights[i]! * e.sigma, 0) / total;
  const chi2 = usable.reduce((a, e, i) => a + weights[i]! * (e.sigma - sigma) ** 2, 0);
  return { sigma, error: Math.sqrt(1 / total), chi2PerDof: usable.length > 1 ? chi2 / (usable.length - 1) : null };
}

/** Relative standard deviation of the combined stratified weight from per-channel moments. */
export function relativeStd(channels: ChannelMoments[], counts: number[]): number {
  // Var of a point's weight in the mixture: Σ_c p_c E_c[(w/p_c)²] − σ², p_c = n_c/N
  const total = counts.reduce((a, n) => a + n, 0);
  let second = 0, sigma = 0;
  channels.forEach((m, c) => {
    const p = counts[c]! / total;
    if (p <= 0 || m.n === 0) return;
    second += (m.variance + m.mean ** 2) / p;
    sigma += m.mean;
  });
  return sigma !== 0 ? Math.sqrt(Math.max(0, second - sigma ** 2)) / Math.abs(sigma) : 0;
}
