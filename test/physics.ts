/** Closed-form cross sections, computed independently of the C++ processes. */

const GEV2_TO_PB = 0.3893793721e9;

/** σ(e+e- → γ/Z → μ+μ-), massless, G_μ scheme as in MG5's sm: α⁻¹=132.507, G_F, M_Z, Γ_Z. */
export function eeMumuSigma(sqrtS: number): number {
  const alpha = 1 / 132.507, gf = 1.16639e-5, mz = 91.188, wz = 2.441404;
  const mw = Math.sqrt(mz ** 2 / 2 + Math.sqrt(mz ** 4 / 4 - (Math.PI * alpha * mz ** 2) / (Math.SQRT2 * gf)));
  const sw2 = 1 - (mw / mz) ** 2;
  // vector and axial couplings of the electron/muon to the Z, in units of e/(2 sw cw)
  const v = -0.5 + 2 * sw2, a = -0.5;
  const s = sqrtS ** 2;
  const k = 1 / (4 * sw2 * (1 - sw2));
  // χ = s/(s − M² + iMΓ) as (re, im)
  const den = (s - mz ** 2) ** 2 + (mz * wz) ** 2;
  const reChi = (s * (s - mz ** 2)) / den, absChi2 = s ** 2 / den;
  const bracket = 1 + 2 * v * v * k * reChi + (v * v + a * a) ** 2 * k * k * absChi2;
  return ((GEV2_TO_PB * 4 * Math.PI * alpha ** 2) / (3 * s)) * bracket;
}
