#!/usr/bin/env node
// Benchmark (issue 13): `madnis-ts launch` with its defaults against MG5's own event
// generation, per launched example of the README (madgraph-cards/), on the same cards,
// seed and threads, measured side by side in one run. Per process: σ of both, the time to
// 10³…10⁶ unweighted events of both (madnis-ts: training + N × its time per event; MG5:
// survey + N × its time per event; both measured here on --events events) and their ratio,
// where the training's time went (matrix element / sampler and networks / rest), µs per
// generated point of the sampler (mapping and networks) against the matrix element, the
// unweighting efficiency ε (one w_max, ≤ 1 % overweights) and the end-to-end efficiency of
// both.
// Usage: npm run bench:launch [-- --cards pp_tt,pp_wpjj --events 10000 --threads 2 --seed 1
//                               --mg5 DIR --label before]
// Writes bench/results/launch[-LABEL].json.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { machine, root, writeJsonAtomic } from './common.mjs';

const { values } = parseArgs({
  options: {
    cards: { type: 'string', default: 'pp_ee,pp_tt,pp_tt_dilepton,pp_wpjj' },
    events: { type: 'string', default: '10000' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    mg5: { type: 'string' },
    label: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const out = join(root, 'bench', 'results', `launch${values.label ? `-${values.label}` : ''}.json`);
const work = join(root, 'bench', 'results', 'launch');
const milestones = [1e3, 1e4, 1e5, 1e6];

const results = [];
for (const name of values.cards.split(',')) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(root, 'bin', 'madnis-ts.js'), 'launch', join(root, 'madgraph-cards', `${name}.dat`),
    ...(values.mg5 ? ['--mg5', values.mg5] : []), '--out', dir, '--events', values.events, '--threads', values.threads, '--seed', values.seed],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`madnis-ts launch ${name} failed (${run.status})`);
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  const c = s.comparison, t = c.time;
  const perEventMadnis = s.events.wall_s / s.events.count;
  const split = { matrix_element_s: 0, sampler_networks_s: 0, rest_s: 0 };
  for (const p of s.training.phases) for (const k of Object.keys(split)) split[k] += p.split?.[k] ?? 0;
  const points = s.events.points;
  const row = {
    process: s.processes.join('; '), card: `madgraph-cards/${name}.dat`, channels: s.channel_labels.length, libraries: s.libraries.length,
    launch_wall_s: (performance.now() - started) / 1000,
    sigma: c.sigma,
    time_to_events_s: milestones.map((n) => {
      const madnis = s.wall_time_s.training + n * perEventMadnis, mg5 = t.mg5_survey_s + n * t.mg5_per_event_s;
      return { events: n, madnis, mg5, ratio: madnis / mg5 };
    }),
    crossover_events: t.crossover_events,
    training: { wall_s: s.wall_time_s.training, integrand_evaluations: s.training.integrand_evaluations, split },
    mg5_survey_s: t.mg5_survey_s,
    generation_us_per_point: {
      sampler_cpu: (1e6 * s.events.timing_s.sample_s) / points,
      matrix_element_cpu: (1e6 * s.events.timing_s.evaluate_s) / points,
      wall: (1e6 * s.events.timing_s.wall_s) / points,
    },
    efficiency: {
      madnis_truncated_one_w_max: s.training.final.efficiency_truncated,
      madnis_end_to_end: c.efficiency.end_to_end.madnis,
      mg5_end_to_end: c.efficiency.end_to_end.mg5,
      end_to_end_ratio: c.efficiency.end_to_end.ratio,
    },
  };
  const r = (n) => row.time_to_events_s.find((x) => x.events === n).ratio.toFixed(2);
  console.log(`${row.process}: σ pull ${c.sigma.pull.toFixed(2)}; training ${row.training.wall_s.toFixed(0)} s (ME ${split.matrix_element_s.toFixed(0)} s, ` +
    `sampler/networks ${split.sampler_networks_s.toFixed(0)} s, rest ${split.rest_s.toFixed(0)} s), MG5 survey ${t.mg5_survey_s.toFixed(0)} s; ` +
    `time ratio madnis/MG5 at 10³ ${r(1e3)}, 10⁴ ${r(1e4)}, 10⁵ ${r(1e5)}, 10⁶ ${r(1e6)}; µs/point sampler ${row.generation_us_per_point.sampler_cpu.toFixed(1)} vs ME ${row.generation_us_per_point.matrix_element_cpu.toFixed(1)}; ` +
    `ε ${(100 * row.efficiency.madnis_truncated_one_w_max).toFixed(1)} %, end-to-end ${(100 * row.efficiency.madnis_end_to_end).toFixed(2)} % vs MG5 ${(100 * row.efficiency.mg5_end_to_end).toFixed(2)} %`);
  results.push(row);
  if (!values.keep) rmSync(join(dir, 'baseline', 'process'), { recursive: true, force: true });
}
writeJsonAtomic(out, { benchmark: 'launch', label: values.label ?? null, events: Number(values.events), threads: Number(values.threads), seed: Number(values.seed), date: new Date().toISOString(), ...machine(), results });
console.log(`wrote ${out}`);
