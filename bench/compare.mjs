#!/usr/bin/env node
// Benchmark: the trained sampler against the reference sampler on the same process, as
// ratios — sampler efficiency ε = ⟨|w|⟩/w_max (plain maximum and ≤ 1 % of σ in
// overweights), end-to-end efficiency (events ÷ generation points) and the wall time to
// 10⁴ and 10⁵ unweighted events (training + generation, both measured here).
// Events are generated as launch does: w_max (≤ 1 % of σ in overweights) and σ from the
// training's final integration, batches sized to the missing events.
// - builtin:dy_zprime (no MG5 needed): madnis-ts' own VEGAS (flow disabled, the
//   MG5-like reference) against the flow, both trained and run through the CLI.
// - MG5 processes: each --launch OUT (a `madnis-ts launch` folder with its MG5 baseline)
//   contributes its report's numbers; --wjj runs that launch for p p > W+ j j first
//   (needs MG5: --mg5 DIR or MG5_HOME).
// Usage: npm run bench:compare [-- --threads T --seed S --launch OUT --wjj]
// Writes bench/results/compare.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { machine, root, sharedPdf, writeJsonAtomic } from './common.mjs';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    events: { type: 'string', default: '10000' },
    launch: { type: 'string', multiple: true, default: [] },
    wjj: { type: 'boolean', default: false },
    mg5: { type: 'string' },
    out: { type: 'string', default: join(root, 'bench', 'results', 'compare.json') },
  },
});
const work = join(root, 'bench', 'results', 'compare');
mkdirSync(work, { recursive: true });
const cli = (args) => {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'madnis-ts.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`madnis-ts ${args.join(' ')} failed (${run.status})`);
  return run.stdout;
};
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));
const milestones = [1e4, 1e5];

/** Train and generate with one configuration; what the comparison needs. */
function measure(name, spec, config) {
  const out = join(work, name);
  rmSync(out, { recursive: true, force: true });
  const configPath = join(work, `${name}.yaml`);
  writeFileSync(configPath, config);
  const pdf = existsSync(sharedPdf) ? ['--pdf', sharedPdf] : [];
  cli(['train', spec, ...pdf, '--config', configPath, '--out', out, '--threads', values.threads, '--seed', values.seed]);
  const train = json(join(out, 'summary.json'));
  cli(['generate', join(out, 'sampler.madnis'), ...pdf, '--training-max-weight', '--events', values.events, '--threads', values.threads, '--seed', values.seed]);
  const gen = json(join(out, 'Events', 'run_01', 'summary.json'));
  const perEvent = gen.timing_s.wall_s / gen.events;
  const row = {
    sigma_pb: train.sigma_pb, sigma_error_pb: train.sigma_error_pb,
    efficiency_max: train.final.efficiency_max, efficiency_truncated: train.final.efficiency_truncated,
    end_to_end: gen.events / gen.generation_points, events: gen.events, generation_points: gen.generation_points,
    training_points: train.integrand_evaluations, training_s: train.wall_time_s, generation_s: gen.timing_s.wall_s, per_event_s: perEvent,
    time_to_events_s: Object.fromEntries(milestones.map((n) => [n, train.wall_time_s + n * perEvent])),
  };
  console.log(`${name.padEnd(16)} σ = ${row.sigma_pb.toPrecision(6)} ± ${row.sigma_error_pb.toPrecision(2)} pb  ε(max) ${(100 * row.efficiency_max).toFixed(2)} %  ε(≤1 %) ${(100 * row.efficiency_truncated).toFixed(2)} %  end-to-end ${(100 * row.end_to_end).toFixed(2)} %  train ${row.training_s.toFixed(1)} s  ${(1e6 * perEvent).toFixed(1)} µs/event`);
  return row;
}

const ratios = (m, r) => ({
  efficiency_max: m.efficiency_max / r.efficiency_max,
  efficiency_truncated: m.efficiency_truncated / r.efficiency_truncated,
  end_to_end: m.end_to_end / r.end_to_end,
  time_to_events: Object.fromEntries(milestones.map((n) => [n, m.time_to_events_s[n] / r.time_to_events_s[n]])),
});

const results = [];
{
  const spec = 'builtin:dy_zprime';
  const reference = measure('dy_vegas', spec, 'flow: {enabled: false}\n');
  const madnis = measure('dy_flow', spec, '{}\n');
  results.push({ process: spec, reference: "madnis-ts VEGAS (flow disabled: MG5's kind of sampler)", reference_numbers: reference, madnis: madnis, ratio_madnis_over_reference: ratios(madnis, reference) });
}

const launches = [...values.launch];
if (values.wjj) {
  const out = join(work, 'launch_wpjj');
  cli(['launch', join(root, 'madgraph-cards', 'pp_wpjj.dat'), ...(values.mg5 ? ['--mg5', values.mg5] : []), '--out', out, '--events', values.events, '--threads', values.threads, '--seed', values.seed]);
  launches.push(out);
}
for (const out of launches) {
  const s = json(join(out, 'summary.json'));
  const c = s.comparison;
  if (!c) throw new Error(`${out}/summary.json has no comparison: launch it with its MG5 baseline (no --no-baseline)`);
  const row = {
    process: s.processes.join('; '), launch: out, reference: 'MG5 generate_events (same cards, seed, threads)',
    sigma: c.sigma, events: c.events,
    efficiency: c.efficiency, time: c.time,
    ratio_madnis_over_reference: {
      efficiency_max_per_channel: c.efficiency.sampler_channels.ratio, end_to_end: c.efficiency.end_to_end.ratio,
      time_to_events: Object.fromEntries(c.time.to_events.map((t) => [t.events, t.ratio])),
    },
  };
  console.log(`${row.process}: ε(max, per channel) ratio ${row.ratio_madnis_over_reference.efficiency_max_per_channel?.toFixed(2) ?? '–'}, end-to-end ratio ${c.efficiency.end_to_end.ratio.toFixed(2)}, time to 10⁵ events ratio ${row.ratio_madnis_over_reference.time_to_events[1e5]?.toFixed(2)}`);
  results.push(row);
}

writeJsonAtomic(values.out, { benchmark: 'compare', threads: Number(values.threads), seed: Number(values.seed), date: new Date().toISOString(), ...machine(), results });
console.log(`wrote ${values.out}`);
