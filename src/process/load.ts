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
}

/** Loads a process library with one instance per thread. */
export function loadProcess(spec: ProcessSpec, threads: number): LoadedProcess {
  const { Process } = loadAddon();
  const native = spec.parts
    ? new Process(spec.parts.map((p) => ({ path: p.libraryPath, params: p.params })), '', threads)
    : new Process(spec.libraryPath, spec.params, threads);
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
  return { spec, native, info, parameters, channelNames };
}
