#!/usr/bin/env node
// Benchmark: process evaluation throughput of every built-in process at 1 and 2 threads
// (uniform sampling + evaluate + per-channel sums, i.e. `madnis-ts integrate`'s loop).
// Usage: npm run bench:evaluate [-- --points N --pdf PATH --out FILE]
// Writes JSON (points/s, µs/point, thread scaling) to bench/results/evaluate.json.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
const dist = (p) => join(root, 'dist', p);
if (!existsSync(dist('cli/main.js'))) throw new Error('run `npm run build` first');
const { parseProcessSpec } = await import(dist('process/spec.js'));
const { loadProcess } = await import(dist('process/load.js'));
const { integratePlain } = await import(dist('integrate/plain.js'));
const { writeJsonAtomic } = await import(dist('util/atomic_write.js'));

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: '2000000' },
    pdf: { type: 'string', default: join(root, '..', 'shared', 'data', 'pdf', 'NNPDF23_lo_as_0130_qed_mem0.grid') },
    out: { type: 'string', default: join(root, 'bench', 'results', 'evaluate.json') },
    repeats: { type: 'string', default: '3' },
  },
});
const points = Number(values.points), repeats = Number(values.repeats);
const processes = ['builtin:ee_mumu', 'builtin:ee_mumu?cuts=mg5', 'builtin:dy_zprime', 'builtin:camel?d=4&channels=2', 'builtin:ring'];

async function throughput(spec, threads) {
  const process = loadProcess(parseProcessSpec(spec, { pdf: existsSync(values.pdf) ? values.pdf : undefined }), threads);
  await integratePlain(process, { points: Math.min(points, 200_000), seed: 1 }); // warm-up
  let best = Infinity;
  for (let r = 0; r < repeats; ++r) {
    const start = performance.now();
    await integratePlain(process, { points, seed: 2 + r });
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return { threads, wall_time_s: best, points_per_second: points / best, us_per_point: (1e6 * best) / points };
}

const results = [];
for (const spec of processes) {
  try {
    const one = await throughput(spec, 1);
    const two = await throughput(spec, 2);
    const row = { process: spec, points, repeats_best_of: repeats, runs: [one, two], thread_scaling_2_over_1: two.points_per_second / one.points_per_second };
    results.push(row);
    console.log(`${spec.padEnd(32)} 1 thread ${(one.points_per_second / 1e6).toFixed(2)} M points/s (${one.us_per_point.toFixed(3)} µs/point), 2 threads ${(two.points_per_second / 1e6).toFixed(2)} M points/s, scaling ×${row.thread_scaling_2_over_1.toFixed(2)}`);
  } catch (error) {
    results.push({ process: spec, skipped: String(error.message ?? error) });
    console.log(`${spec.padEnd(32)} skipped: ${error.message ?? error}`);
  }
}
const report = { benchmark: 'evaluate', date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, results };
writeJsonAtomic(values.out, report);
console.log(`wrote ${values.out}`);
