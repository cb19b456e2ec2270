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
  const native = new Process(spec.libraryPath, spec.params, threads);
  const info = native.info();
  const parameters = JSON.parse(info.parametersJson) as Record<string, unknown>;
  const names = Array.isArray(parameters.channel_names) ? (parameters.channel_names as string[]) : [];
  const channelNames = Array.from({ length: info.channels }, (_, c) => names[c] ?? String(c + 1));
  return { spec, native, info, parameters, channelNames };
}
