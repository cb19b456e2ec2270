/**
 * Opens a gridpack: unpacks it into a folder of the node (each job its own, as MG5's
 * gridpacks do), checks every file against the manifest, and names the process's libraries
 * where they now are, MG5 ones with dir= pointing into the unpacked MadEvent files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { extract } from 'tar';

import { parseProcessSpec, type LibrarySpec, type ProcessSpec } from '../process/spec.js';
import { fileSha256 } from '../train/sampler_file.js';
import { UserError } from '../util/errors.js';
import { GRIDPACK_ROOT, manifestSchema, type GridpackManifest } from './manifest.js';

export interface OpenedGridpack {
  archive: string;
  archiveSha256: string;
  /** the unpacked gridpack's folder */
  dir: string;
  manifest: GridpackManifest;
  samplerPath: string;
  processSpec: ProcessSpec;
}

export function isGridpackPath(path: string): boolean {
  return /\.(tar\.gz|tgz)$/.test(path);
}

export async function openGridpack(archive: string, into: string): Promise<OpenedGridpack> {
  if (!existsSync(archive)) throw new UserError(`gridpack ${archive}: no such file`);
  try {
    await extract({ file: archive, cwd: into, strict: true });
  } catch (error) {
    throw new UserError(`${archive} is not a readable gridpack (.tar.gz): ${(error as Error).message}`);
  }
  const dir = join(into, GRIDPACK_ROOT);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new UserError(`${archive} is not a madnis-ts gridpack: it has no ${GRIDPACK_ROOT}/manifest.json (make one with \`madnis-ts gridpack\`)`);
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${archive}: its manifest is not one this madnis-ts reads: ${issue.path.join('.')}: ${issue.message}`);
  }
  const manifest = parsed.data;
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    if (!existsSync(path) || fileSha256(path) !== file.sha256) throw new UserError(`${archive} is damaged: ${file.path} does not match its manifest`);
  }
  const pdf = manifest.pdf ? join(dir, manifest.pdf) : undefined;
  const parts: LibrarySpec[] = manifest.libraries.map((library) => {
    if (library.file === null) return parseProcessSpec(library.spec, { pdf }).parts[0]!;
    const libraryPath = join(dir, library.file);
    const params = [library.mg5_dir ? `dir=${join(dir, library.mg5_dir)}` : '', library.params].filter((p) => p !== '').join('&');
    return { spec: libraryPath, libraryPath, params };
  });
  return {
    archive,
    archiveSha256: fileSha256(archive),
    dir,
    manifest,
    samplerPath: join(dir, manifest.sampler.file),
    processSpec: { spec: manifest.process.spec, parts },
  };
}
