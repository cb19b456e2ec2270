#!/usr/bin/env node
// Benchmark: unweighted events per second for each built-in process with particles,
// and where the time goes: sampling (flow + VEGAS), process evaluation, unweighting
// (CPU seconds summed over threads) and LHE writing (wall seconds on the JS thread).
// Trains each sampler with short settings first (not timed).
// Usage: npm run bench:generate [-- --events N --threads T]. Writes bench/results/generate.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { createSampler, load, machine, root, runTraining, sharedPdf, validateTrainConfig, writeJsonAtomic } from './common.mjs';

const dist = (p) => join(root, 'dist', p);
const { generateEvents } = await import(dist('generate/run.js'));
const { encodeState, processIdentity, writeSamplerFile } = await import(dist('train/sampler_file.js'));
const { reopenSampler } = await import(dist('generate/reopen.js'));

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    threads: { type: 'string', default: '2' },
    out: { type: 'string', default: join(root, 'bench', 'results', 'generate.json') },
  },
});
const events = Number(values.events), threads = Number(values.threads);
const work = mkdtempSync(join(tmpdir(), 'madnis-bench-generate-'));
const config = validateTrainConfig({ training: { steps: 200 } }, 'bench');
const results = [];
for (const spec of ['builtin:ee_mumu', 'builtin:ee_mumu?cuts=mg5', 'builtin:dy_zprime']) {
  const process_ = load(spec, threads);
  const trained = await runTraining(process_, createSampler(process_, config, 1), config, 1);
  const path = join(work, `${process_.info.name}.madnis`);
  writeSamplerFile(path, { format: 'madnis-ts sampler', format_version: 1, madnis_ts_version: 'bench', process: { ...processIdentity(process_), spec }, seed: 1, config, state: encodeState(trained.state), history: trained.progress.history, result: trained.final });
  const opened = reopenSampler(path, threads, { pdf: sharedPdf });
  const runDir = join(work, process_.info.name, 'Events', 'run_01');
  const r = await generateEvents(opened, { events, seed: 1, runDir, lhePath: join(runDir, 'unweighted_events.lhe.gz'), batchPoints: 65536, presamplePoints: 200000, overweightShare: 0.001, useTrainingMaxWeight: false, version: 'bench' });
  const t = r.timing;
  const row = {
    process: spec, events: r.events, points_drawn: r.generation.points, acceptance: r.generation.acceptance,
    wall_time_s: t.wall_s, events_per_second: r.events / t.wall_s,
    cpu_seconds: { sampling: t.sample_s, process: t.evaluate_s, unweighting: t.unweight_s }, lhe_writing_wall_s: t.write_s,
    us_per_point: { sampling: (1e6 * t.sample_s) / r.generation.points, process: (1e6 * t.evaluate_s) / r.generation.points },
    us_per_event_writing: (1e6 * t.write_s) / r.events,
  };
  results.push(row);
  console.log(`${spec.padEnd(26)} ${Math.round(row.events_per_second)} events/s (acceptance ${(100 * row.acceptance).toFixed(1)} %): sampling ${row.us_per_point.sampling.toFixed(2)} µs/point, process ${row.us_per_point.process.toFixed(2)} µs/point (CPU), LHE ${row.us_per_event_writing.toFixed(1)} µs/event`);
}
rmSync(work, { recursive: true, force: true });
writeJsonAtomic(values.out, { benchmark: 'generate', date: new Date().toISOString(), threads, ...machine(), results });
console.log(`wrote ${values.out}`);
