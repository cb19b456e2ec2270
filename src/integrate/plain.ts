/**
 * Multi-channel Monte Carlo with uniform sampling in each channel's unit cube, combined
 * with the process's prior channel weights: the baseline every trained sampler is
 * measured against. Runs in batches so a progress bar can follow.
 */
import type { ChannelSums } from '../native/addon.js';
import type { LoadedProcess } from '../process/load.js';

export interface ChannelEstimate {
  channel: number;
  name: string;
  points: number;
  passingCuts: number;
  invalidWeights: number;
  /** σ_c = E[α_c w] in pb and its MC error */
  sigma: number;
  sigmaError: number;
  /** relative standard deviation of α_c·w over this channel's points */
  relativeStd: number;
}

export interface PlainResult {
  sigma: number;
  sigmaError: number;
  points: number;
  passingCuts: number;
  invalidWeights: number;
  channels: ChannelEstimate[];
}

export interface PlainOptions {
  points: number;
  seed: number;
  /** called after every batch with the points done so far */
  onProgress?: (done: number, total: number) => void;
}

/** Points per channel and batch: large enough to amortise the call, small for progress. */
const BATCH_PER_CHANNEL = 1 << 16;

/** Splits N points over C channels as evenly as possible (the first get the remainder). */
export function splitPoints(total: number, channels: number): number[] {
  const base = Math.floor(total / channels);
  return Array.from({ length: channels }, (_, c) => base + (c < total % channels ? 1 : 0));
}

export function combineSums(a: ChannelSums, b: ChannelSums): ChannelSums {
  return {
    n: a.n + b.n,
    passing: a.passing + b.passing,
    nonzero: a.nonzero + b.nonzero,
    invalid: a.invalid + b.invalid,
    sum: a.sum + b.sum,
    sumSq: a.sumSq + b.sumSq,
    maxAbs: Math.max(a.maxAbs, b.maxAbs),
  };
}

/** Mean, error of the mean and relative std from running sums (n ≥ 2). */
export function estimateFromSums(s: ChannelSums): { mean: number; error: number; relativeStd: number } {
  if (s.n === 0) return { mean: 0, error: 0, relativeStd: 0 };
  const mean = s.sum / s.n;
  const variance = s.n > 1 ? Math.max(0, (s.sumSq / s.n - mean * mean) * (s.n / (s.n - 1))) : 0;
  return {
    mean,
    error: Math.sqrt(variance / s.n),
    relativeStd: mean !== 0 ? Math.sqrt(variance) / Math.abs(mean) : 0,
  };
}

export async function integratePlain(process: LoadedProcess, options: PlainOptions): Promise<PlainResult> {
  const nChannels = process.info.channels;
  const perChannel = splitPoints(options.points, nChannels);
  const empty: ChannelSums = { n: 0, passing: 0, nonzero: 0, invalid: 0, sum: 0, sumSq: 0, maxAbs: 0 };
  const sums: ChannelSums[] = perChannel.map(() => ({ ...empty }));
  const done = perChannel.map(() => 0);
  let total = 0;
  while (done.some((d, c) => d < perChannel[c]!)) {
    const points = perChannel.map((n, c) => Math.min(BATCH_PER_CHANNEL, n - done[c]!));
    const batch = await process.native.integratePlain({
      seed: options.seed,
      iteration: 0,
      firstIndex: [...done],
      points,
    });
    batch.forEach((s, c) => {
      sums[c] = combineSums(sums[c]!, s);
      done[c]! += points[c]!;
      total += points[c]!;
    });
    options.onProgress?.(total, options.points);
  }

  const channels = sums.map((s, c): ChannelEstimate => {
    const e = estimateFromSums(s);
    return {
      channel: c,
      name: process.channelNames[c]!,
      points: s.n,
      passingCuts: s.passing,
      invalidWeights: s.invalid,
      sigma: e.mean,
      sigmaError: e.error,
      relativeStd: e.relativeStd,
    };
  });
  return {
    sigma: channels.reduce((a, c) => a + c.sigma, 0),
    sigmaError: Math.sqrt(channels.reduce((a, c) => a + c.sigmaError ** 2, 0)),
    points: channels.reduce((a, c) => a + c.points, 0),
    passingCuts: channels.reduce((a, c) => a + c.passingCuts, 0),
    invalidWeights: channels.reduce((a, c) => a + c.invalidWeights, 0),
    channels,
  };
}
