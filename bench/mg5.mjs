#!/usr/bin/env node
// Benchmark: the MG5 integrand against the flow sampler, per point, for a process built
// by `madnis-ts launch` (its OUT folder): µs per point of MG5's matrix element + phase
// space + PDFs + cuts (uniform sampling, `integrate`'s loop) and of the trained sampler
// drawing points with their density (integrate on the sampler, minus nothing: it includes
// the MG5 call, so the flow's own share is the difference), at 1 and 2 threads.
// Usage: npm run bench:mg5 -- OUT_DIR [--points N]. Writes bench/results/mg5_<name>.json.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

import { load, machine, root, writeJsonAtomic } from './common.mjs';

const dist = (p) => join(root, 'dist', p);
const { integratePlain } = await import(dist('integrate/plain.js'));
const { reopenSampler } = await import(dist('generate/reopen.js'));

const { values, positionals } = parseArgs({ allowPositionals: true, options: { points: { type: 'string', default: '200000' } } });
const outDir = positionals[0];
if (!outDir || !existsSync(join(outDir, 'build'))) {
  console.error('usage: npm run bench:mg5 -- OUT_DIR   (a folder written by `madnis-ts launch`)');
  process.exit(1);
}
const points = Number(values.points);
const processDir = join(outDir, 'process');
// each library evaluates its MadEvent folder, given as dir= (nothing is compiled in)
const libraries = readdirSync(join(outDir, 'build')).filter((f) => f.endsWith('.so'))
  .map((f) => `${join(outDir, 'build', f)}?dir=${join(processDir, 'SubProcesses', basename(f, '.so'))}`);
const spec = libraries.join(',');
const rows = [];
for (const threads of [1, 2]) {
  const process_ = load(spec, threads);
  await integratePlain(process_, { points: 10_000, seed: 1 });
  let t = performance.now();
  await integratePlain(process_, { points, seed: 2 });
  const plain = (performance.now() - t) / 1000;
  const row = { threads, integrand_us_per_point: (1e6 * plain) / points };
  if (existsSync(join(outDir, 'sampler.madnis'))) {
    const opened = reopenSampler(join(outDir, 'sampler.madnis'), threads);
    const counts = opened.file.result.counts.map((c) => Math.round((c * points) / opened.file.result.points));
    t = performance.now();
    const r = await opened.sampler.integrate({ counts, seed: 3, iteration: 7 });
    const trained = (performance.now() - t) / 1000;
    row.trained_sampler_us_per_point = (1e6 * trained) / r.efficiency.n;
    row.flow_share_us_per_point = row.trained_sampler_us_per_point - row.integrand_us_per_point;
  }
  rows.push(row);
  console.log(`${threads} thread(s): MG5 integrand ${row.integrand_us_per_point.toFixed(2)} µs/point` + (row.trained_sampler_us_per_point ? `, trained sampler incl. integrand ${row.trained_sampler_us_per_point.toFixed(2)} µs/point` : ''));
}
const out = join(root, 'bench', 'results', `mg5_${basename(outDir)}.json`);
writeJsonAtomic(out, { benchmark: 'mg5', process: outDir, libraries, points, date: new Date().toISOString(), ...machine(), results: rows });
console.log(`wrote ${out}`);
