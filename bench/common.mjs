// Shared helpers for the benchmarks: load the built modules, the shared PDF grid, JSON output.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');
const dist = (p) => join(root, 'dist', p);
if (!existsSync(dist('cli/main.js'))) throw new Error('run `npm run build` first');

export const { parseProcessSpec } = await import(dist('process/spec.js'));
export const { loadProcess } = await import(dist('process/load.js'));
export const { writeJsonAtomic } = await import(dist('util/atomic_write.js'));
export const { validateTrainConfig } = await import(dist('train/config.js'));
export const { createSampler, runTraining } = await import(dist('train/schedule.js'));

export const sharedPdf = join(root, '..', 'shared', 'data', 'pdf', 'NNPDF23_lo_as_0130_qed_mem0.grid');

export function load(spec, threads, pdf = sharedPdf) {
  return loadProcess(parseProcessSpec(spec, { pdf: existsSync(pdf) ? pdf : undefined }), threads);
}

export function machine() {
  return { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version };
}
