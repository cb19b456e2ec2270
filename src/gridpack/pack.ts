/**
 * Packs a trained sampler into a gridpack: one .tar.gz that generates events on a node with
 * madnis-ts but without MG5 or a compiler. It holds the sampler file, the process's
 * libraries, and what the libraries read at run time, found by tracing an MG5 library's
 * file accesses (strace): in its SubProcesses/P* folder only symfact.dat (MadEvent's
 * channels, read from P*\/madnis, which the library creates), the PDF grid through
 * lib/Pdfdata (MG5's opendata looks up to six folders up), and for the event banner the
 * Cards, MGMEVersion.txt and SubProcesses/procdef_mg5.dat. Libraries are loaded with dir=
 * pointing into the unpacked copy, so no path of the original output is needed.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

import { create } from 'tar';

import { parseProcessSpec, type SpecOptions } from '../process/spec.js';
import { fileSha256, librarySha256, readSamplerFile } from '../train/sampler_file.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { storageError, UserError } from '../util/errors.js';
import { GRIDPACK_FORMAT, GRIDPACK_FORMAT_VERSION, GRIDPACK_ROOT, gridpackId, type GridpackLibrary, type GridpackManifest } from './manifest.js';

export interface PackInput extends SpecOptions {
  sampler: string;
  /** the .tar.gz to write (atomically) */
  out: string;
  version: string;
}

/** The MadEvent SubProcesses/P* folder of each part, when the part is an MG5 library. */
function mg5Dirs(parameters: Record<string, unknown>, parts: number): Array<string | undefined> {
  const dirOf = (p: Record<string, unknown> | undefined) => (typeof p?.mg5_dir === 'string' ? p.mg5_dir : undefined);
  if (Array.isArray(parameters.parts)) return (parameters.parts as Array<{ parameters: Record<string, unknown> }>).map((p) => dirOf(p.parameters));
  return parts === 1 ? [dirOf(parameters)] : Array.from({ length: parts }, () => undefined);
}

/** The files of a MadEvent folder an MG5 library reads at run time (see the file's comment). */
function copyMg5Runtime(processDir: string, pDirs: string[], into: string): void {
  const copy = (path: string) => {
    const from = join(processDir, path);
    if (!existsSync(from)) throw new UserError(`cannot pack ${from}: it is missing (was the MG5 output folder of this sampler moved or removed?)`);
    mkdirSync(dirname(join(into, path)), { recursive: true });
    cpSync(from, join(into, path), { recursive: true, dereference: true });
  };
  copy('Cards');
  copy(join('lib', 'Pdfdata'));
  for (const optional of ['MGMEVersion.txt', join('SubProcesses', 'procdef_mg5.dat')]) if (existsSync(join(processDir, optional))) copy(optional);
  for (const dir of pDirs) copy(join('SubProcesses', basename(dir), 'symfact.dat'));
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(root, join(dir, e.name)) : [relative(root, join(dir, e.name))])).sort();
}

export async function packGridpack(input: PackInput): Promise<GridpackManifest> {
  const file = readSamplerFile(input.sampler);
  if (!file.result) throw new UserError(`${input.sampler} is a checkpoint, not a finished sampler: finish it with \`madnis-ts train --resume\``);
  // a built-in's PDF grid: the one it was trained with, unless --pdf names another
  const trainedPdf = file.process.parameters.pdf;
  const pdf = input.pdf ?? (typeof trainedPdf === 'string' && existsSync(trainedPdf) ? trainedPdf : undefined);
  const spec = parseProcessSpec(file.process.spec, { ...input, pdf });
  if (librarySha256(spec) !== file.process.library_sha256) {
    throw new UserError(`${input.sampler} was trained on other libraries than ${spec.parts.map((p) => p.libraryPath).join(', ')} are now: retrain before packing`);
  }
  const staging = `${input.out}.staging-${process.pid}`;
  const root = join(staging, GRIDPACK_ROOT);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(join(root, 'libraries'), { recursive: true });
    copyFileSync(input.sampler, join(root, 'sampler.madnis'));
    const dirs = mg5Dirs(file.process.parameters, spec.parts.length);
    let packedPdf: string | null = null;
    const libraries: GridpackLibrary[] = spec.parts.map((part, k) => {
      const sha256 = fileSha256(part.libraryPath);
      if (part.builtin) {
        const grid = /(?:^|&)pdf=([^&]*)/.exec(part.params)?.[1];
        if (grid) {
          packedPdf = join('pdf', basename(grid));
          mkdirSync(join(root, 'pdf'), { recursive: true });
          copyFileSync(grid, join(root, packedPdf));
        }
        return { spec: part.spec, file: null, sha256, mg5_dir: null, params: '' };
      }
      const name = join('libraries', basename(part.libraryPath));
      copyFileSync(part.libraryPath, join(root, name));
      const dir = dirs[k];
      // its other parameters as trained (dir= points into the gridpack instead)
      const params = part.params.split('&').filter((p) => p !== '' && !p.startsWith('dir=')).join('&');
      return { spec: part.spec, file: name, sha256, mg5_dir: dir ? join('process', 'SubProcesses', basename(dir)) : null, params };
    });
    const mg5 = dirs.filter((d): d is string => d !== undefined);
    if (mg5.length) copyMg5Runtime(dirname(dirname(mg5[0]!)), mg5, join(root, 'process'));
    const result = file.result;
    const samplerSha256 = fileSha256(input.sampler);
    const manifest: GridpackManifest = {
      format: GRIDPACK_FORMAT,
      format_version: GRIDPACK_FORMAT_VERSION,
      madnis_ts_version: input.version,
      id: gridpackId(samplerSha256, libraries.map((l) => l.sha256)),
      sampler: { file: 'sampler.madnis', sha256: samplerSha256 },
      process: { spec: file.process.spec, name: file.process.name, description: file.process.description },
      libraries,
      pdf: packedPdf,
      sigma_pb: result.sigma,
      sigma_error_pb: result.error,
      w_max: result.w_max_truncated,
      overweight_share: file.config.integration.overweight_share,
      expected_acceptance: result.acceptance_truncated,
      files: listFiles(root).map((path) => ({ path, sha256: fileSha256(join(root, path)), bytes: statSync(join(root, path)).size })),
    };
    writeJsonAtomic(join(root, 'manifest.json'), manifest);
    const archive = `${staging}.tar.gz`;
    await create({ gzip: true, file: archive, cwd: staging, portable: true }, [GRIDPACK_ROOT]);
    renameSync(archive, input.out);
    return manifest;
  } catch (error) {
    rmSync(`${staging}.tar.gz`, { force: true });
    throw storageError(error, input.out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
