/**
 * The comparison step of `launch` (and `madnis-ts report OUT`): a launch's summary.json
 * and its MG5 baseline become report.html, and summary.json gains the comparison.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { Composition, Normalisation } from '../generate/run.js';
import type { BaselineResult } from '../mg5/baseline.js';
import type { LoadedProcess } from '../process/load.js';
import { DEFAULT_OVERWEIGHT_SHARE } from '../train/config.js';
import type { FinalIntegration, PhaseSummary, TrainingHistory } from '../train/schedule.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import type { MadnisSide } from './compare.js';
import { buildReport, readCards, writeReport, type ReportResult } from './report.js';

/** What `launch` writes to summary.json and the report reads back. */
export interface LaunchSummary {
  command: 'launch';
  madnis_ts_version: string;
  proc_card: string;
  processes: string[];
  mg5: string;
  process_dir: string;
  libraries: string[];
  /** the libraries with their parameters (dir=), as integrate and train take them */
  process_spec: string;
  channel_labels: string[];
  /** how the libraries cluster MG5's dynamical scale (mg5/clustering.ts); absent in summaries from before */
  scale_definition?: string;
  /** false only in the summary an interrupted launch leaves (app/launch.ts stopLaunch) */
  completed: true;
  /** what the integrand and the sampler were made from (app/launch.ts trainingInputs) */
  inputs: { key: string; cards_key?: string; cards?: unknown; libraries_sha256: string; [more: string]: unknown };
  reused: { mg5_output: boolean; mg5_prepare: boolean; build: boolean; sampler: boolean };
  config: unknown;
  sampler_file: string;
  seed: number;
  threads: number;
  sigma_pb: number;
  sigma_error_pb: number;
  training: {
    phases: PhaseSummary[]; final: FinalIntegration; integrand_evaluations: number; invalid_points: number; history: TrainingHistory;
    /** flows trained for the channels (symmetric copies share their config's); null without flows; absent in older summaries */
    flows?: { flows: number; channels: number; symmetric_copies_sharing: number } | null;
  };
  events: {
    /** the share of σ w_max leaves in overweights (absent in summaries before it was recorded: 0.01) */
    file: string; count: number; overweight_share?: number; w_max: number; acceptance: number; presample_sigma_pb: number; presample_sigma_error_pb: number; overweight_events: number; points: number; wall_s: number;
    timing_s?: { sample_s: number; evaluate_s: number; unweight_s: number; write_s: number; wall_s: number };
    scale_variations?: unknown;
    normalisation: Normalisation | null; composition: Composition;
  };
  wall_time_s: { mg5_and_build: number; training: number; generation: number };
  /** with launch --cluster: the job arrays, shards and resubmissions of the generation */
  cluster?: unknown;
  baseline?: BaselineResult;
  comparison?: unknown;
  report?: string;
}

/** Channel labels of launched libraries: `<P folder>/<MadEvent channel>`, as MG5's job folders are named. */
export function mg5ChannelLabels(loaded: LoadedProcess): string[] {
  return loaded.parts.flatMap((part) => {
    const names = Array.isArray(part.parameters.channel_names) ? (part.parameters.channel_names as string[]) : [];
    return Array.from({ length: part.channels }, (_, c) => `${part.name}/${names[c] ?? c + 1}`);
  });
}

export function madnisSide(s: LaunchSummary): MadnisSide {
  return {
    sigma_pb: s.sigma_pb,
    sigma_error_pb: s.sigma_error_pb,
    final: s.training.final,
    phases: s.training.phases,
    training_points: s.training.integrand_evaluations,
    training_wall_s: s.wall_time_s.training,
    events: s.events.count,
    generation_points: s.events.points,
    generation_wall_s: s.events.wall_s,
    channel_labels: s.channel_labels,
    overweight_share: s.events.overweight_share ?? DEFAULT_OVERWEIGHT_SHARE,
  };
}

export function readLaunchSummary(path: string): LaunchSummary {
  if (!existsSync(path)) throw new UserError(`${path} not found: run madnis-ts launch with --out ${dirname(path)} first`);
  const summary = JSON.parse(readFileSync(path, 'utf8')) as LaunchSummary;
  const written = summary as { completed?: boolean; advice?: string };
  if (summary.command === 'launch' && written.completed === false) throw new UserError(`${path}: the launch in ${dirname(path)} did not finish (${written.advice ?? 'rerun it'})`);
  if (summary.command !== 'launch' || !summary.inputs || !summary.training?.history || !summary.channel_labels)
    throw new UserError(`${path} is not the summary of a madnis-ts launch (or comes from an older madnis-ts): run launch again`);
  return summary;
}

/** Writes the report to `paths.report` and the comparison into the launch's summary (`paths.summary`). */
export async function reportLaunch(paths: { report: string; summary: string }, summary: LaunchSummary, baseline: BaselineResult): Promise<ReportResult & { path: string }> {
  const report = await buildReport({
    title: `madnis-ts report: ${summary.processes.join('; ')}`,
    processDir: summary.process_dir,
    processes: summary.processes,
    cards: readCards(summary.process_dir, summary.proc_card),
    madnis: {
      ...madnisSide(summary), events_file: summary.events.file,
      seed: summary.seed, threads: summary.threads, history: summary.training.history,
    },
    baseline,
    versions: { 'madnis-ts': summary.madnis_ts_version, MG5: mg5Version(summary.mg5), node: process.version },
  });
  const path = paths.report;
  writeReport(path, report.html);
  const { html: _html, comparison, ...more } = report;
  writeJsonAtomic(paths.summary, { ...summary, baseline, comparison: { ...comparison, ...more }, report: path });
  return { ...report, path };
}

function mg5Version(dir: string): string {
  const file = join(dir, 'VERSION');
  if (!existsSync(file)) return `unknown (${dir})`;
  const version = /version\s*=\s*(\S+)/.exec(readFileSync(file, 'utf8'))?.[1];
  return `${version ?? 'unknown'} (${dir})`;
}
