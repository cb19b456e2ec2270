/**
 * Use case `gridpack`: a trained sampler and everything its process needs at run time, in
 * one .tar.gz that `generate` reads on a node without MG5 or a compiler (gridpack/pack.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { GridpackManifest } from '../gridpack/manifest.js';
import { packGridpack } from '../gridpack/pack.js';
import { UserError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { gridpackPath, trainLayout } from './layout.js';

export interface GridpackInput {
  /** a folder written by train or launch (its sampler.madnis), or a sampler file */
  from: string;
  /** the archive to write (default: gridpack.tar.gz beside the sampler) */
  output?: string;
  pdf?: string;
  mg5?: string;
}

export interface GridpackResult {
  path: string;
  bytes: number;
  manifest: GridpackManifest;
}

export async function gridpack(input: GridpackInput): Promise<GridpackResult> {
  const from = resolve(input.from);
  const isDir = existsSync(from) && statSync(from).isDirectory();
  const sampler = isDir ? trainLayout(from).sampler : from;
  if (!existsSync(sampler)) throw new UserError(`no sampler at ${sampler}: give a folder written by \`madnis-ts train\` or \`launch\`, or a sampler file`);
  const path = resolve(input.output ?? gridpackPath(isDir ? from : join(from, '..')));
  const manifest = await packGridpack({ sampler, out: path, version: VERSION, pdf: input.pdf, mg5: input.mg5 });
  return { path, bytes: statSync(path).size, manifest };
}
