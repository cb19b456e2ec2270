/** Number formatting for terminal tables: values with errors, shares, counts. */

/** σ ± δσ with the error to 2 significant digits and the value to the same decimal. */
export function withError(value: number, error: number): string {
  if (!Number.isFinite(error) || error <= 0) return `${formatSignificant(value, 6)} ± 0`;
  const decimals = Math.max(0, 1 - Math.floor(Math.log10(error)));
  if (decimals > 12 || Math.abs(value) >= 1e7 || (Math.abs(value) > 0 && Math.abs(value) < 1e-4)) {
    return `${value.toExponential(4)} ± ${error.toExponential(1)}`;
  }
  return `${value.toFixed(decimals)} ± ${error.toFixed(decimals)}`;
}

export function formatSignificant(value: number, digits: number): string {
  return Number(value.toPrecision(digits)).toString();
}

export function percent(fraction: number, decimals = 2): string {
  return `${(100 * fraction).toFixed(decimals)} %`;
}

/** A share as a percentage to 3 significant digits: 0.01 → "1 %", 0.001 → "0.1 %". */
export function shareText(share: number): string {
  return `${formatSignificant(100 * share, 3)} %`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}
