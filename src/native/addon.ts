/**
 * Typed bindings to the native core (native/addon). The core works on batches and runs
 * every heavy call off the JS thread, returning a promise.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

import { UserError } from '../util/errors.js';
import { addonPath } from './paths.js';

export interface Beam {
  pdg: number;
  energy: number;
}

export interface ProcessInfo {
  name: string;
  description: string;
  dimension: number;
  channels: number;
  pdg: number[];
  mass: number[];
  beams: [Beam, Beam];
  usesPdf: boolean;
  pdfLhaid: number;
  parametersJson: string;
  threads: number;
}

/** Per-point outputs of the process ABI, flattened row-major. */
export interface Evaluation {
  weight: Float64Array;
  channelWeights: Float64Array;
  momenta: Float64Array;
  pdg: Int32Array;
  x1: Float64Array;
  x2: Float64Array;
  muF: Float64Array;
  muR: Float64Array;
  alphaS: Float64Array;
  alphaQED: Float64Array;
}

/** Running sums of α_c·w for one channel (see native/src/channel_stats.h). */
export interface ChannelSums {
  n: number;
  /** points whose process weight is non-zero (they pass the cuts) */
  passing: number;
  /** points with a non-zero contribution α_c·w */
  nonzero: number;
  invalid: number;
  sum: number;
  sumSq: number;
  maxAbs: number;
}

export interface PlainBatch {
  seed: number;
  iteration: number;
  firstIndex: number[];
  points: number[];
}

export interface NativeProcess {
  info(): ProcessInfo;
  evaluate(channel: number, u: Float64Array): Promise<Evaluation>;
  integratePlain(batch: PlainBatch): Promise<ChannelSums[]>;
}

interface Addon {
  Process: new (libraryPath: string, params: string, threads: number) => NativeProcess;
  processAbi: { major: number; minor: number };
}

let cached: Addon | undefined;

export function loadAddon(): Addon {
  if (cached) return cached;
  if (!existsSync(addonPath)) {
    throw new UserError(
      `the native core is not built (${addonPath} is missing): run \`npm run build\` in the madnis-ts folder`,
    );
  }
  const require = createRequire(import.meta.url);
  cached = require(addonPath) as Addon;
  return cached;
}
