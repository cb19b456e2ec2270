#!/usr/bin/env node
// Benchmark: how much better than VEGAS the trained sampler is, per process, for
// uniform / VEGAS / flow (both VEGAS initialisations) / flow + channel-weight network.
// Every sampler is measured the same way: σ, δσ, relative std of the weights and the
// unweighting efficiency on the final fresh sample (native/src/unweight.h), training
// and sampling wall times. Usage: npm run bench:train [-- --quick --threads T --seed S]
// Writes bench/results/train.json.
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { load, machine, root, runTraining, createSampler, validateTrainConfig, writeJsonAtomic } from './common.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: join(root, 'bench', 'results', 'train.json') },
  },
});
const threads = Number(values.threads), seed = Number(values.seed);
const processes = ['builtin:dy_zprime', 'builtin:camel?d=4', 'builtin:camel?d=4&channels=2'];
const base = values.quick ? { training: { steps: 100 }, integration: { points: 50_000 } } : {};
const samplers = {
  uniform: { vegas: { iterations: 0 }, flow: { enabled: false } },
  vegas: { flow: { enabled: false } },
  'flow (VEGAS fixed map)': { flow: { init: 'fixed_map' }, channel_weights: { enabled: false } },
  'flow (VEGAS spline init)': { flow: { init: 'spline' }, channel_weights: { enabled: false } },
  'flow + channel net (fixed map)': { flow: { init: 'fixed_map' } },
  'flow + channel net (spline init)': { flow: { init: 'spline' } },
};

function merge(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = typeof v === 'object' && !Array.isArray(v) ? merge(a[k] ?? {}, v) : v;
  return out;
}

const results = [];
for (const spec of processes) {
  const process_ = load(spec, threads);
  const rows = {};
  for (const [name, overrides] of Object.entries(samplers)) {
    if (process_.info.channels === 1 && name.includes('channel net')) continue;
    const config = validateTrainConfig(merge(base, overrides), name);
    const start = performance.now();
    const result = await runTraining(process_, createSampler(process_, config, seed), config, seed);
    const wall = (performance.now() - start) / 1000;
    const f = result.final;
    const last = result.progress.phases.at(-1);
    rows[name] = {
      sigma_pb: f.sigma, sigma_error_pb: f.error, relative_std: f.relative_std,
      efficiency_truncated: f.efficiency_truncated, efficiency_max: f.efficiency_max, efficiency_median_max: f.efficiency_median_max,
      fraction_passing_cuts: f.points_passing_cuts / f.points, final_points: f.points,
      training_points: result.progress.points - f.points, wall_time_s: wall, final_phase_wall_time_s: last.wall_time_s,
    };
    console.log(`${spec.padEnd(30)} ${name.padEnd(34)} σ = ${f.sigma.toPrecision(6)} ± ${f.error.toPrecision(2)}  rel.std ${f.relative_std.toFixed(3)}  ε(1%) ${(100 * f.efficiency_truncated).toFixed(1)} %  ε(max) ${(100 * f.efficiency_max).toFixed(1)} %  ${wall.toFixed(1)} s`);
  }
  const vegas = rows.vegas;
  const ratios = {};
  for (const [name, r] of Object.entries(rows)) {
    if (!name.startsWith('flow')) continue;
    ratios[name] = {
      relative_std_over_vegas: r.relative_std / vegas.relative_std,
      efficiency_truncated_over_vegas: r.efficiency_truncated / vegas.efficiency_truncated,
      efficiency_max_over_vegas: r.efficiency_max / vegas.efficiency_max,
    };
  }
  results.push({ process: spec, samplers: rows, ratios_to_vegas: ratios });
}
const report = { benchmark: 'train', quick: values.quick, seed, threads, date: new Date().toISOString(), ...machine(), results };
writeJsonAtomic(values.out, report);
console.log(`wrote ${values.out}`);
