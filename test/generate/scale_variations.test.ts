/**
 * Scale-variation weights (<rwgt>, issue 16): the (2, 2) variation's σ, reweighted from
 * events at μ = 91.188 GeV, equals σ integrated directly with both scales doubled
 * (builtin:dy_zprime's scalefact=2, MG5's run-card scalefact) within the Monte Carlo errors;
 * the central weight is XWGTUP exactly; the header declares the 9 weights as MG5 does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { haveSharedPdf, pull, runCli, sharedPdfGrid } from '../helpers.js';
import { SMALL_CONFIG_YAML } from '../train/small_config.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-scalevar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// statistical agreement: a pull beyond 4 standard deviations is a failure (p ≈ 6e-5)
const MAX_PULL = 4;

describe.skipIf(!haveSharedPdf)('9-point scale variations on builtin:dy_zprime', () => {
  const spec = 'builtin:dy_zprime?zprime=off';
  const out = join(work, 'dy');
  let summary: any, text = '';
  beforeAll(() => {
    const config = join(work, 'small.yaml');
    writeFileSync(config, SMALL_CONFIG_YAML);
    const train = runCli(['train', spec, '--pdf', sharedPdfGrid, '--config', config, '--out', out, '--threads', '2']);
    expect(train.status, train.stderr).toBe(0);
    const generate = runCli(['generate', join(out, 'sampler.madnis'), '--events', '5000', '--pdf', sharedPdfGrid, '--threads', '2', '--seed', '5']);
    expect(generate.status, generate.stderr).toBe(0);
    expect(generate.stdout).toContain('scale_variations');
    summary = JSON.parse(readFileSync(join(out, 'Events', 'run_01', 'summary.json'), 'utf8'));
    text = gunzipSync(readFileSync(join(out, 'Events', 'run_01', 'unweighted_events.lhe.gz'))).toString();
  }, 600_000);

  it('σ(μ_R, μ_F × 2) from the weights equals σ integrated with scalefact=2, and differs from the central σ', () => {
    const integrate = runCli(['integrate', `${spec}&scalefact=2`, '--pdf', sharedPdfGrid, '--points', '600000', '--threads', '2', '--out', join(work, 'int2')]);
    expect(integrate.status, integrate.stderr).toBe(0);
    const direct = JSON.parse(readFileSync(join(work, 'int2', 'summary.json'), 'utf8'));
    const variations = summary.scale_variations.variations as Array<{ mu_r_factor: number; mu_f_factor: number; sigma_pb: number; error_pb: number }>;
    const both = variations.find((v) => v.mu_r_factor === 2 && v.mu_f_factor === 2)!;
    const central = variations.find((v) => v.mu_r_factor === 1 && v.mu_f_factor === 1)!;
    const agreement = pull(both.sigma_pb, both.error_pb, direct.sigma_pb, direct.sigma_error_pb);
    const sensitivity = pull(central.sigma_pb, central.error_pb, direct.sigma_pb, direct.sigma_error_pb);
    console.log(`σ(2,2) reweighted ${both.sigma_pb} ± ${both.error_pb}, integrated ${direct.sigma_pb} ± ${direct.sigma_error_pb}: pull ${agreement.toFixed(2)}; central ${central.sigma_pb}: pull ${sensitivity.toFixed(1)}`);
    expect(Math.abs(agreement)).toBeLessThan(MAX_PULL);
    // without the reweighting the same comparison fails: the test can tell
    expect(Math.abs(sensitivity)).toBeGreaterThan(MAX_PULL);
    // σ of the central variation is the <init> σ; the envelope spans the 9
    expect(central.sigma_pb).toBe(summary.sigma_pb);
    expect(summary.scale_variations.envelope.min_pb).toBe(Math.min(...variations.map((v) => v.sigma_pb)));
    expect(summary.scale_variations.envelope.max_pb).toBe(Math.max(...variations.map((v) => v.sigma_pb)));
  }, 600_000);

  it('every event: 9 <wgt>, the central one is XWGTUP exactly; μ_R alone changes nothing (no α_s)', () => {
    const events = [...text.matchAll(/<event>\n\s*\d+\s+\d+\s+(\S+)[\s\S]*?<rwgt>\n([\s\S]*?)<\/rwgt>\n<\/event>/g)];
    expect(events).toHaveLength(5000);
    for (const [, xwgtup, block] of events) {
      const wgts = [...block!.matchAll(/<wgt id='(\d)'> (\S+) <\/wgt>/g)].map((m) => [m[1], m[2]]);
      expect(wgts.map((w) => w[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(wgts[4]![1]).toBe(xwgtup);
      // n_qcd = 0: the μ_R factor does not enter
      for (const v of [0, 1, 2]) expect(wgts[v]![1]).toBe(wgts[v + 6]![1]);
    }
    expect(text).toContain('<weightgroup name="Central scale variation" combine="envelope">');
    expect(text).toContain('<weight id="9" MUR="2.0" MUF="2.0" PDF="247000"> MUR=2.0 MUF=2.0 </weight>');
  });
});
