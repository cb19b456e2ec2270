/**
 * What the user names as a process: `builtin:NAME[?key=value&…]` or the path of a process
 * library (anything exporting native/include/madnis/process.h), `PATH[?key=value&…]`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { builtinProcessDir } from '../native/paths.js';
import { UserError } from '../util/errors.js';
import { resolvePdfGrid } from './pdf.js';

export interface BuiltinDescription {
  name: string;
  summary: string;
  parameters: string;
  needsPdf: boolean;
}

/** The built-in processes and test integrands (../shared/BENCHMARKS.md). */
export const BUILTINS: readonly BuiltinDescription[] = [
  { name: 'ee_mumu', summary: 'e+ e- > mu+ mu- via gamma/Z, closed-form sigma without cuts', parameters: 'sqrts (GeV, default 91.188), cuts (none | mg5)', needsPdf: false },
  { name: 'dy_zprime', summary: "p p > e+ e- via gamma/Z/Z' at 13 TeV with NNPDF2.3 LO (the MadNIS toy)", parameters: 'sqrts, mzp, wzp (GeV), zprime (on | off), pdf (path)', needsPdf: true },
  { name: 'camel', summary: 'two Gaussians on the diagonal of [0,1]^d, known integral', parameters: 'd (2..16), sigma, channels (1 | 2)', needsPdf: false },
  { name: 'ring', summary: 'a thin Gaussian ring in the unit square, known integral', parameters: 'r0, w', needsPdf: false },
];

export const DEFAULT_PROCESS = 'builtin:ee_mumu';

/** One process library and the parameters handed to its create(). */
export interface LibrarySpec {
  /** what names it: builtin:NAME[?…] or the library's path */
  spec: string;
  libraryPath: string;
  /** key=value&… handed to the library's create() */
  params: string;
  builtin?: string;
}

export interface ProcessSpec {
  /** what the user typed (or, for launched MG5 processes, the libraries' paths joined by commas) */
  spec: string;
  /**
   * The libraries the process is made of: one, or several written `A,B,…` (MadEvent's
   * subprocess folders of one process), whose channels are concatenated.
   */
  parts: LibrarySpec[];
}

export interface SpecOptions {
  pdf?: string;
  mg5?: string;
}

export function parseProcessSpec(spec: string, options: SpecOptions = {}): ProcessSpec {
  return { spec, parts: spec.split(',').map((part) => parseLibrarySpec(part.trim(), options)) };
}

/**
 * A process made of the given process libraries (launch: one per subprocess folder, each
 * with its parameters, e.g. `dir=` the MadEvent folder it evaluates: nothing is compiled in).
 */
export function librariesSpec(libraries: Array<{ path: string; params?: string }>): ProcessSpec {
  const specs = libraries.map((l) => (l.params ? `${l.path}?${l.params}` : l.path));
  return { spec: specs.join(','), parts: specs.map((spec) => parseLibrarySpec(spec, {})) };
}

/** `PATH` or `PATH?key=value&…` (a path that exists as written is taken whole). */
function splitLibraryPath(spec: string): { path: string; params: string } {
  const question = spec.lastIndexOf('?');
  if (question < 0 || existsSync(resolve(spec))) return { path: spec, params: '' };
  return { path: spec.slice(0, question), params: spec.slice(question + 1) };
}

function parseLibrarySpec(spec: string, options: SpecOptions): LibrarySpec {
  if (!spec.startsWith('builtin:')) {
    const { path, params } = splitLibraryPath(spec);
    const libraryPath = resolve(path);
    if (!existsSync(libraryPath)) {
      throw new UserError(
        `unknown process '${spec}': give builtin:NAME (one of ${BUILTINS.map((b) => b.name).join(', ')}) or the path of a process library (PATH or PATH?key=value&…)`,
      );
    }
    return { spec, libraryPath, params };
  }
  const body = spec.slice('builtin:'.length);
  const question = body.indexOf('?');
  const name = question < 0 ? body : body.slice(0, question);
  const query = question < 0 ? '' : body.slice(question + 1);
  const builtin = BUILTINS.find((b) => b.name === name);
  if (!builtin) {
    throw new UserError(`unknown built-in process '${name}' (known: ${BUILTINS.map((b) => b.name).join(', ')})`);
  }
  const libraryPath = join(builtinProcessDir, `${name}.so`);
  if (!existsSync(libraryPath)) {
    throw new UserError(`the built-in process library ${libraryPath} is missing: run \`npm run build\``);
  }
  let params = query;
  if (builtin.needsPdf && !/(^|&)pdf=/.test(query)) {
    const grid = resolvePdfGrid(options.pdf, options.mg5);
    params = params ? `${params}&pdf=${grid}` : `pdf=${grid}`;
  }
  return { spec, libraryPath, params, builtin: name };
}
