#!/usr/bin/env node
// Benchmark (issue 14): learned channel weights against MadEvent's own (prior) weights on a
// launched MG5 process. `launch` builds the process once (MG5 output, compile, libraries;
// VEGAS only); then the same libraries are trained with the same schedule, seed and threads
// twice per seed: channel_weights.enabled false with no channel dropping (MadEvent's
// weights), and the channel network on (prior as its starting point, dropping on). Per run:
// σ ± δσ, the relative std of the weights and the unweighting efficiency ε (one w_max, ≤ 1 %
// of σ in overweights) on the final fresh sample, the training time; per seed the ratios;
// σ's pull against MG5's own survey (SubProcesses/results.dat, with MG5's own clustering).
// A third variant, `unbounded`, learns them without the trust region around the prior
// (channel_weights.max_log_ratio: null); a fourth, `shared_copies`, trains one flow for a
// config and its symmetric copies (flow.share_symmetric_copies: true); a fifth,
// `learned_amp2_prior`, learns them from the AMP2 prior of sde_strategy 1 (the libraries'
// prior=amp2), whatever the run card's sde_strategy.
// Usage: npm run bench:channel-weights [-- --card pp_wpjj|FILE.dat --seeds 1,2,3 --steps 100
//                                        --threads 2 --mg5 DIR --label L
//                                        --variants madevent_weights,learned_weights,unbounded,shared_copies,learned_amp2_prior
//                                        --max-log-ratio L (learned_weights' trust region)
//                                        --reuse (the last launch) --reference SIGMA,ERROR
//                                        --set KEY=VALUE (launch's run-card settings; repeatable)]
// Writes bench/results/channel_weights[-LABEL].json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { machine, root, writeJsonAtomic } from './common.mjs';

const { values } = parseArgs({
  options: {
    card: { type: 'string', default: 'pp_wpjj' },
    seeds: { type: 'string', default: '1,2,3' },
    steps: { type: 'string', default: '100' },
    threads: { type: 'string', default: '2' },
    mg5: { type: 'string' },
    label: { type: 'string' },
    variants: { type: 'string', default: 'madevent_weights,learned_weights' },
    'max-log-ratio': { type: 'string' },
    reuse: { type: 'boolean', default: false },
    reference: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
  },
});
const out = join(root, 'bench', 'results', `channel_weights${values.label ? `-${values.label}` : ''}.json`);
const cardFile = values.card.endsWith('.dat') ? resolve(values.card) : join(root, 'madgraph-cards', `${values.card}.dat`);
const cardName = basename(cardFile, '.dat');
const work = join(root, 'bench', 'results', 'channel_weights', cardName);
const cli = join(root, 'bin', 'madnis-ts.js');
const seeds = values.seeds.split(',').map(Number);

function madnis(args) {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`madnis-ts ${args[0]} failed (${run.status})`);
}

// the process, built once: VEGAS only, no events worth keeping, no baseline (--reuse: the
// last run's, when it completed)
const launched = join(work, 'launch');
if (!(values.reuse && existsSync(join(launched, 'summary.json')))) {
  rmSync(work, { recursive: true, force: true });
  writeFileSync(join(root, 'bench', 'results', '.channel_weights_vegas.yaml'), 'flow: {enabled: false}\n');
  madnis(['launch', cardFile, ...(values.mg5 ? ['--mg5', values.mg5] : []), '--out', launched,
    '--config', join(root, 'bench', 'results', '.channel_weights_vegas.yaml'), '--events', '100', '--threads', values.threads, '--no-baseline',
    ...values.set.flatMap((s) => ['--set', s])]);
  rmSync(join(root, 'bench', 'results', '.channel_weights_vegas.yaml'));
}
const launch = JSON.parse(readFileSync(join(launched, 'summary.json'), 'utf8'));
// the reference σ: MG5's survey of the launched folder, or --reference SIGMA,ERROR (e.g. a
// long MG5 run with the same scale definition)
const [mg5Sigma, mg5Error] = values.reference
  ? values.reference.split(',').map(Number)
  : readFileSync(join(launched, 'process', 'SubProcesses', 'results.dat'), 'utf8').trim().split(/\s+/).slice(0, 2).map(Number);
const channels = launch.channel_labels.length;

// launch's own VEGAS policy for MadEvent processes (5 000 points per channel and iteration)
const common = `vegas: {points_per_iteration: ${Math.min(2_000_000, 5000 * channels)}}\ntraining: {steps: ${values.steps}, stop_for_events: false`;
const known = {
  madevent_weights: `${common}, drop_threshold: 0}\nchannel_weights: {enabled: false}\n`,
  learned_weights: `${common}}\nchannel_weights: {enabled: true${values['max-log-ratio'] ? `, max_log_ratio: ${Number(values['max-log-ratio'])}` : ''}}\n`,
  unbounded: `${common}}\nchannel_weights: {enabled: true, max_log_ratio: null}\n`,
  shared_copies: `${common}}\nflow: {share_symmetric_copies: true}\nchannel_weights: {enabled: true}\n`,
  learned_amp2_prior: `${common}}\nchannel_weights: {enabled: true${values['max-log-ratio'] ? `, max_log_ratio: ${Number(values['max-log-ratio'])}` : ''}}\n`,
};
// the libraries' own prior, per variant: learned_amp2_prior starts from AMP2's (prior=amp2),
// whatever the run card's sde_strategy
const specOf = (variant) => variant === 'learned_amp2_prior'
  ? launch.process_spec.split(',').map((part) => `${part}&prior=amp2`).join(',')
  : launch.process_spec;
const variants = Object.fromEntries(values.variants.split(',').map((v) => {
  if (!(v in known)) throw new Error(`unknown variant '${v}' (known: ${Object.keys(known).join(', ')})`);
  return [v, known[v]];
}));
if (!('madevent_weights' in variants)) throw new Error('--variants must include madevent_weights, the reference of the ratios');
const runs = [];
for (const seed of seeds) {
  for (const [variant, yaml] of Object.entries(variants)) {
    const config = join(work, `${variant}.yaml`);
    writeFileSync(config, yaml);
    const dir = join(work, `${variant}-seed${seed}`);
    const started = performance.now();
    madnis(['train', specOf(variant), '--config', config, '--out', dir, '--threads', values.threads, '--seed', String(seed)]);
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const final = s.final;
    const row = {
      variant, seed, wall_s: (performance.now() - started) / 1000,
      sigma_pb: final.sigma, sigma_error_pb: final.error,
      pull_vs_mg5: (final.sigma - mg5Sigma) / Math.hypot(final.error, mg5Error),
      relative_std: final.relative_std, efficiency_truncated: final.efficiency_truncated,
      dropped_channels: Array.isArray(s.dropped_channels) ? s.dropped_channels.length : s.dropped_channels,
    };
    console.log(`${cardName} seed ${seed} ${variant}: σ ${row.sigma_pb.toPrecision(6)} ± ${row.sigma_error_pb.toPrecision(2)} pb (pull vs MG5 ${row.pull_vs_mg5.toFixed(2)}), ` +
      `rel. std ${row.relative_std.toFixed(3)}, ε ${(100 * row.efficiency_truncated).toFixed(2)} %, ${row.wall_s.toFixed(0)} s`);
    runs.push(row);
  }
}
const ratios = seeds.flatMap((seed) => {
  const m = runs.find((r) => r.variant === 'madevent_weights' && r.seed === seed);
  return runs.filter((r) => r.seed === seed && r.variant !== 'madevent_weights').map((l) => ({
    seed, variant: l.variant, relative_std_madevent_over_learned: m.relative_std / l.relative_std, efficiency_learned_over_madevent: l.efficiency_truncated / m.efficiency_truncated,
  }));
});
for (const r of ratios) console.log(`seed ${r.seed} ${r.variant}: relative std ÷ ${r.relative_std_madevent_over_learned.toFixed(2)}, ε × ${r.efficiency_learned_over_madevent.toFixed(2)} against MadEvent's weights`);
// σ's pull per variant over the seeds: mean and the pull of the mean
const pulls = Object.keys(variants).map((variant) => {
  const rows = runs.filter((r) => r.variant === variant);
  const mean = rows.reduce((a, r) => a + r.sigma_pb, 0) / rows.length;
  const error = Math.sqrt(rows.reduce((a, r) => a + r.sigma_error_pb ** 2, 0)) / rows.length;
  const pull = (mean - mg5Sigma) / Math.hypot(error, mg5Error);
  console.log(`${variant}: mean σ over ${rows.length} seeds ${mean.toPrecision(6)} ± ${error.toPrecision(2)} pb, pull vs MG5 ${pull.toFixed(2)}`);
  return { variant, seeds: rows.length, sigma_pb: mean, sigma_error_pb: error, pull_vs_mg5: pull, pulls: rows.map((r) => r.pull_vs_mg5) };
});
writeJsonAtomic(out, {
  benchmark: 'channel_weights', card: relative(root, cardFile), set: values.set, label: values.label ?? null, steps: Number(values.steps), threads: Number(values.threads),
  channels, scale_definition: launch.scale_definition ?? null, mg5_survey: values.reference
    ? { sigma_pb: mg5Sigma, sigma_error_pb: mg5Error, source: '--reference' }
    : { sigma_pb: mg5Sigma, sigma_error_pb: mg5Error, scale: "MG5's own clustering along the channel (the launched folder's survey; the libraries' definition moves W+jj by +0.9 %)" },
  date: new Date().toISOString(), ...machine(), runs, ratios, pulls,
});
console.log(`wrote ${out}`);
