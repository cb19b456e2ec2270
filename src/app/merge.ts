/**
 * Use case `merge`: event runs that are one run split up (the shards of a gridpack) into
 * one LHE file with one <init>, in the next OUT/Events/run_XX with its summary.json
 * (generate/merge.ts says what merges and how the weights are set).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { checkMergeable, checkRun, mergeRuns, type CheckedRun, type MergeResult } from '../generate/merge.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { VERSION } from '../version.js';
import { claimRunDir, eventRunFiles } from './layout.js';
import { withProgress, type Reporter } from './reporter.js';

export interface MergeInput {
  /** run folders (Events/run_XX) or their summary.json */
  runs: string[];
  out: string;
}

/** A run folder, named by the folder or its summary.json. */
export function runSource(path: string) {
  const full = resolve(path);
  const runDir = existsSync(full) && statSync(full).isFile() ? dirname(full) : full;
  const files = eventRunFiles(runDir);
  return { runDir, summaryPath: files.summary, lhePath: files.lhe };
}

export function mergeSummary(runs: CheckedRun[], result: MergeResult, lhePath: string) {
  const first = runs[0]!.summary;
  return {
    command: 'merge' as const,
    madnis_ts_version: VERSION,
    completed: true,
    process: first.process,
    gridpack: first.gridpack ?? null,
    sampler_sha256: first.sampler_sha256,
    lhe_file: lhePath,
    events: result.events,
    sigma_pb: result.sigma_pb,
    sigma_error_pb: result.sigma_error_pb,
    sigma_source: `the generation points of all ${runs.length} shards (${result.sigma_points}), each shard's estimate weighted by its points`,
    w_max: first.w_max,
    w_max_source: first.w_max_source,
    overweight_share: first.overweight_share,
    normalisation: { sigma_pb: result.sigma_pb, events: result.events, sum_weight_factors: result.sum_weight_factors, unit_weight_pb: result.unit_weight_pb },
    shards: result.shards,
    scale_variations: result.scale_variations,
  };
}

export type MergeSummary = ReturnType<typeof mergeSummary>;

/** Merges into `runDir` (already claimed). */
export async function mergeInto(runDir: string, runs: CheckedRun[], reporter: Reporter): Promise<{ summary: MergeSummary; summaryPath: string }> {
  const files = eventRunFiles(runDir);
  const result = await withProgress(reporter, 'merge', 'shards', false, async (bar) => {
    bar.update(0, runs.length);
    const merged = await mergeRuns(runs, files.lhe, VERSION);
    bar.update(runs.length, runs.length);
    return merged;
  });
  const summary = mergeSummary(runs, result, files.lhe);
  writeJsonAtomic(files.summary, summary);
  return { summary, summaryPath: files.summary };
}

export async function merge(input: MergeInput, reporter: Reporter): Promise<{ summary: MergeSummary; summaryPath: string }> {
  // every run is checked before an output folder is claimed: a refused merge leaves nothing
  const runs = input.runs.map((path) => checkRun(runSource(path)));
  checkMergeable(runs);
  const runDir = claimRunDir(resolve(input.out));
  try {
    return await mergeInto(runDir, runs, reporter);
  } catch (error) {
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
}
