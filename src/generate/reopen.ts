/**
 * Re-opens a trained sampler: the process it was trained on (same library, same
 * parameters) and its state, ready to sample.
 */
import { subprocessCrashHint } from '../mg5/build.js';
import type { NativeSampler } from '../native/addon.js';
import { loadProcess, type LoadedProcess } from '../process/load.js';
import { parseProcessSpec, type ProcessSpec } from '../process/spec.js';
import { UserError } from '../util/errors.js';
import { decodeState, fileSha256, librarySha256, readSamplerFile, type SamplerFile } from '../train/sampler_file.js';
import { createSampler } from '../train/schedule.js';

export interface ReopenedSampler {
  path: string;
  /**
   * The library is not the one trained on (a rebuild, or a changed integrand). Any
   * sampler stays unbiased for any integrand; only its efficiency may suffer — say so.
   */
  libraryChanged: boolean;
  file: SamplerFile;
  fileSha256: string;
  process: LoadedProcess;
  sampler: NativeSampler;
}

/** Parameters that must match between training and use (paths may move: a PDF grid, an MG5 folder). */
function physicsParameters(parameters: Record<string, unknown>): string {
  const { pdf: _pdf, mg5_dir: _mg5Dir, ...rest } = parameters;
  return JSON.stringify(rest);
}

export interface ReopenOptions {
  pdf?: string;
  mg5?: string;
  /** use the sampler on libraries other than those it was trained on (else refused) */
  acceptChangedProcess?: boolean;
  /** the process's libraries where they are now (an unpacked gridpack), instead of the paths the file names */
  processSpec?: ProcessSpec;
}

/** The one line refusing a sampler on an integrand it was not trained on, with the fixes. */
export function changedProcessError(path: string, what: string): UserError {
  return new UserError(
    `${path} was trained on another integrand: ${what}. Retrain (madnis-ts launch / train), or pass --accept-changed-process ` +
      'to use it as a proposal for the new integrand (σ and w_max then come from a presample)',
  );
}

export function reopenSampler(path: string, threads: number, options: ReopenOptions = {}): ReopenedSampler {
  const file = readSamplerFile(path);
  if (!file.result) throw new UserError(`${path} is a checkpoint, not a finished sampler: finish it with \`madnis-ts train --resume\``);
  const spec = options.processSpec ?? parseProcessSpec(file.process.spec, options);
  // checked before the library is loaded: a truncated or replaced library is never dlopen'ed
  const libraryChanged = librarySha256(spec) !== file.process.library_sha256;
  if (libraryChanged && !options.acceptChangedProcess) throw changedProcessError(path, `${spec.parts.map((p) => p.libraryPath).join(', ')} changed since (rebuilt with other cards, or replaced)`);
  const process = loadProcess(spec, threads, { crashHint: subprocessCrashHint });
  const info = process.info, trained = file.process;
  if (info.dimension !== trained.dimension || info.channels !== trained.channels || info.pdg.join(' ') !== trained.pdg.join(' ')) {
    throw new UserError(
      `${path} was trained on another process than ${trained.spec} is now (${trained.channels} channels, dimension ${trained.dimension}, particles ${trained.pdg.join(' ')}; ` +
        `now ${info.channels}, ${info.dimension}, ${info.pdg.join(' ')}): train again`,
    );
  }
  if (physicsParameters(process.parameters) !== physicsParameters(file.process.parameters)) {
    throw new UserError(`the process ${file.process.spec} now has other parameters than when ${path} was trained: train again`);
  }
  const sampler = createSampler(process, file.config, file.seed);
  sampler.setState(decodeState(file.state));
  return { path, libraryChanged, file, fileSha256: fileSha256(path), process, sampler };
}
