import { basename } from 'node:path';

import { loadAddon, type NativeProcess, type ProcessInfo } from '../native/addon.js';
import type { ProcessSpec } from './spec.js';

export interface LoadedProcess {
  spec: ProcessSpec;
  native: NativeProcess;
  info: ProcessInfo;
  /** the library's resolved parameters and physics inputs */
  parameters: Record<string, unknown>;
  /** names of the channels for tables, from the parameters or their numbers */
  channelNames: string[];
  /**
   * The libraries the process is made of (MadEvent: one per subprocess folder, named after
   * it), each with its range of channels; one part for a single library.
   */
  parts: ProcessPart[];
  /** index into parts of every channel */
  partOfChannel: number[];
  /**
   * For every channel, the channel it is a symmetric copy of (an MG5 config whose symfact.dat
   * factor −g names graph g's: the same σ, but not the same function of u), else −1.
   */
  copyOf: number[];
}

export interface ProcessPart {
  /** the library's file name without extension (P1_qq_ll for MG5), or the built-in's spec */
  name: string;
  firstChannel: number;
  channels: number;
  /** the part's own resolved parameters */
  parameters: Record<string, unknown>;
}

function partName(spec: string): string {
  const text = spec.trim();
  return text.startsWith('builtin:') ? text : basename(text).replace(/\.(so|dylib)$/, '');
}

export interface LoadOptions {
  /** advice appended to the core's message when a library crashes (e.g. where an MG5 library's logs are) */
  crashHint?: (libraryPath: string) => string | undefined;
}

/** Loads a process library with one instance per thread. */
export function loadProcess(spec: ProcessSpec, threads: number, options: LoadOptions = {}): LoadedProcess {
  const { Process } = loadAddon();
  // the core names no kind of library: advice for a crash comes from the caller
  const native = new Process(
    spec.parts.map((p) => {
      const crashHint = options.crashHint?.(p.libraryPath);
      return { path: p.libraryPath, params: p.params, ...(crashHint ? { crashHint } : {}) };
    }),
    '',
    threads,
  );
  const info = native.info();
  const parameters = JSON.parse(info.parametersJson) as Record<string, unknown>;
  const namesOf = (p: Record<string, unknown>, count?: number) =>
    Array.isArray(p.channel_names) ? (p.channel_names as string[]) : Array.from({ length: count ?? 0 }, (_, c) => String(c + 1));
  // a process of several parts: channels "part:name"
  const names = Array.isArray(parameters.parts)
    ? (parameters.parts as Array<{ channels: number; parameters: Record<string, unknown> }>).flatMap((p, k) =>
        namesOf(p.parameters, p.channels).map((n) => `${k + 1}:${n}`),
      )
    : namesOf(parameters);
  const channelNames = Array.from({ length: info.channels }, (_, c) => names[c] ?? String(c + 1));
  const partList = Array.isArray(parameters.parts)
    ? (parameters.parts as Array<{ channels: number; parameters: Record<string, unknown> }>)
    : [{ channels: info.channels, parameters }];
  let first = 0;
  const parts = partList.map((p, k) => {
    const part = { name: partName(spec.parts[k]?.spec ?? `part ${k + 1}`), firstChannel: first, channels: p.channels, parameters: p.parameters };
    first += p.channels;
    return part;
  });
  const partOfChannel = parts.flatMap((p, k) => Array.from({ length: p.channels }, () => k));
  const copyOf = parts.flatMap((p) => Array.from({ length: p.channels }, (_, c) => {
    const of = Array.isArray(p.parameters.channel_copy_of) ? Number(p.parameters.channel_copy_of[c]) : -1;
    return Number.isInteger(of) && of >= 0 && of < p.channels && of !== c ? p.firstChannel + of : -1;
  }));
  return { spec, native, info, parameters, channelNames, parts, partOfChannel, copyOf };
}
