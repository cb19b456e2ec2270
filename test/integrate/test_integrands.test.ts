/**
 * camel and ring: integrals known in closed form, computed here independently of the C++.
 */
import { describe, expect, it } from 'vitest';

import { integratePlain } from '../../src/integrate/plain.js';
import { builtin, pull } from '../helpers.js';

/** erf to ~1e-15 by its Maclaurin series / continued fraction (no Math.erf in JS). */
function erf(x: number): number {
  const sign = Math.sign(x), a = Math.abs(x);
  if (a < 3) {
    let term = a, sum = a;
    for (let n = 1; n < 200; ++n) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (sign * 2 * sum) / Math.sqrt(Math.PI);
  }
  // erfc continued fraction (Lentz)
  let f = a, c = a, d = 0;
  for (let n = 1; n < 300; ++n) {
    const an = n / 2;
    d = a + an * d;
    d = 1 / d;
    c = a + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / (f * Math.sqrt(Math.PI));
  return sign * (1 - erfc);
}

function camelIntegral(d: number, sigma: number): number {
  const g = (mu: number) => 0.5 * (erf((1 - mu) / sigma) + erf(mu / sigma));
  return 0.5 * (g(1 / 3) ** d + g(2 / 3) ** d);
}

/** Ring in polar coordinates by composite Simpson on r ∈ [0, 0.5] (ring inside the square). */
function ringIntegral(r0: number, w: number): number {
  const n = 200_000, h = 0.5 / n;
  let sum = 0;
  for (let i = 0; i <= n; ++i) {
    const r = i * h;
    const f = 2 * Math.PI * r * Math.exp(-((r - r0) ** 2) / (2 * w * w));
    sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  return (sum * h) / 3;
}

describe('test integrands with known integrals', () => {
  const cases = [
    { spec: 'builtin:camel', exact: camelIntegral(4, 0.1) },
    { spec: 'builtin:camel?channels=2', exact: camelIntegral(4, 0.1) },
    { spec: 'builtin:camel?d=2&sigma=0.2&channels=2', exact: camelIntegral(2, 0.2) },
    { spec: 'builtin:ring', exact: ringIntegral(0.3, 0.01) },
    { spec: 'builtin:ring?r0=0.2&w=0.02', exact: ringIntegral(0.2, 0.02) },
  ];
  for (const { spec, exact } of cases) {
    it(`${spec}: pull |z| < 3 for 3 seeds, error < 2 %`, async () => {
      const process = builtin(spec);
      expect(process.parameters.exact_integral as number).toBeCloseTo(exact, 8);
      for (const seed of [1, 2, 3]) {
        const result = await integratePlain(process, { points: 1_000_000, seed });
        expect(result.sigmaError / result.sigma).toBeLessThan(0.02);
        expect(Math.abs(pull(result.sigma, result.sigmaError, exact))).toBeLessThan(3);
      }
    });
  }

  it('camel in 16 dimensions: the 2-channel prior stays finite far from both humps', async () => {
    const process = builtin('builtin:camel?d=16&channels=2');
    const u = new Float64Array(16 * 4).fill(0.999); // far from both humps: Gaussians underflow
    u.fill(0.001, 16, 32);
    const e = await process.native.evaluate(0, u);
    for (let i = 0; i < 4; ++i) {
      const a0 = e.channelWeights[2 * i]!, a1 = e.channelWeights[2 * i + 1]!;
      expect(Number.isFinite(a0) && Number.isFinite(a1)).toBe(true);
      expect(a0 + a1).toBeCloseTo(1, 14);
    }
  });
});

describe('reproducibility', () => {
  it('the same seed gives identical numbers; 1 and 2 threads agree bit for bit', async () => {
    const one = await integratePlain(builtin('builtin:camel?channels=2', 1), { points: 300_000, seed: 9 });
    const two = await integratePlain(builtin('builtin:camel?channels=2', 2), { points: 300_000, seed: 9 });
    const again = await integratePlain(builtin('builtin:camel?channels=2', 2), { points: 300_000, seed: 9 });
    expect(two).toEqual(again);
    expect(one).toEqual(two);
    const other = await integratePlain(builtin('builtin:camel?channels=2', 2), { points: 300_000, seed: 10 });
    expect(other.sigma).not.toBe(two.sigma);
  });
});
