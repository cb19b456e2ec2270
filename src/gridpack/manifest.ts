/**
 * A gridpack's manifest (manifest.json at the top of the archive): what it holds, each file
 * with its sha256, the process's libraries and where each finds its data inside the
 * archive, and the numbers every shard generated from it shares: σ and w_max of the
 * sampler's final integration, which give all shards one normalisation.
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

export const GRIDPACK_FORMAT = 'madnis-ts gridpack';
export const GRIDPACK_FORMAT_VERSION = 1;
/** the one folder at the top of the archive */
export const GRIDPACK_ROOT = 'madnis_gridpack';

const library = z.object({
  /** the part as the sampler file names it (a built-in's spec, or the library's original path) */
  spec: z.string(),
  /** the library inside the gridpack; null for a built-in, which comes with madnis-ts */
  file: z.string().nullable(),
  sha256: z.string(),
  /** an MG5 library's SubProcesses/P* folder inside the gridpack (its dir= parameter) */
  mg5_dir: z.string().nullable(),
  /** the library's other create parameters, as trained (e.g. prior=amp2); absent in older gridpacks */
  params: z.string().default(''),
});

export const manifestSchema = z.object({
  format: z.literal(GRIDPACK_FORMAT),
  format_version: z.literal(GRIDPACK_FORMAT_VERSION),
  madnis_ts_version: z.string(),
  /** sha256 of the sampler file and every library: shards of one gridpack share it */
  id: z.string(),
  sampler: z.object({ file: z.string(), sha256: z.string() }),
  process: z.object({ spec: z.string(), name: z.string(), description: z.string() }),
  libraries: z.array(library).min(1),
  /** the PDF grid a built-in hadron process reads (MG5 processes carry theirs in process/lib/Pdfdata) */
  pdf: z.string().nullable(),
  sigma_pb: z.number(),
  sigma_error_pb: z.number(),
  w_max: z.number(),
  overweight_share: z.number(),
  expected_acceptance: z.number(),
  files: z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number().int() })),
});

export type GridpackManifest = z.infer<typeof manifestSchema>;
export type GridpackLibrary = z.infer<typeof library>;

export function gridpackId(samplerSha256: string, librarySha256s: string[]): string {
  return createHash('sha256').update([samplerSha256, ...librarySha256s].join('\n')).digest('hex');
}
