/**
 * Use cases `baseline` (MG5's own event generation for a launched process, on a copy of
 * its folder) and `report` (the comparison of a launch with that baseline: report.html,
 * and the comparison in the launch's summary.json). `launch` runs both at its end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { BASELINE_RUN, finishBaseline, runBaseline, type BaselineResult, type BaselineRun } from '../mg5/baseline.js';
import { requireMg5, type Mg5Location } from '../mg5/locate.js';
import { readLaunchSummary, reportLaunch, type LaunchSummary } from '../report/launch_report.js';
import type { ReportResult } from '../report/report.js';
import { UserError } from '../util/errors.js';
import { acquireRunLock } from '../util/run_lock.js';
import { count, seconds } from '../util/format.js';
import { VERSION } from '../version.js';
import { launchLayout, type LaunchLayout } from './layout.js';
import type { Reporter } from './reporter.js';

export type LaunchComparison = ReportResult & { path: string };

export async function runMg5Baseline(
  mg5: Mg5Location, layout: LaunchLayout, summary: LaunchSummary, run: { events: number; seed: number; threads: number }, reporter: Reporter,
): Promise<BaselineResult> {
  return reporter.task(
    'MG5 baseline', 'MG5 baseline failed',
    (onStep) => runBaseline({ mg5, processDir: summary.process_dir, layout: layout.baseline, ...run, version: VERSION, onStep }),
    (b) => `MG5 baseline: ${count(b.events)} events in ${seconds(b.wall_time_s)} (Events/${BASELINE_RUN} of ${b.process_dir})`,
  );
}

/** The report compares like with like: MG5's baseline must have run with the launch's cards. */
function requireSameCards(layout: LaunchLayout, summary: LaunchSummary, baseline: BaselineResult): void {
  if (baseline.cards_key !== undefined && baseline.cards_key === summary.inputs.cards_key) return;
  throw new UserError(
    `${layout.baseline.dir} was made with other cards than the launch in ${layout.dir} (${baseline.cards_key === undefined ? 'an older baseline without a record of its cards' : 'its run or param card differs'}): ` +
      `run madnis-ts baseline ${layout.dir} again`,
  );
}

export async function compareWithMg5(layout: LaunchLayout, summary: LaunchSummary, baseline: BaselineResult): Promise<LaunchComparison> {
  requireSameCards(layout, summary, baseline);
  return reportLaunch({ report: layout.report, summary: layout.summary }, summary, baseline);
}

export interface BaselineInput {
  /** the launch's output folder */
  out: string;
  mg5?: string;
  /** default: as many events as the launch wrote, its seed and threads */
  events?: number;
  threads?: number;
  seed?: number;
}

export async function baseline(input: BaselineInput, reporter: Reporter): Promise<{ result: BaselineResult; path: string }> {
  const layout = launchLayout(resolve(input.out));
  const summary = readLaunchSummary(layout.summary);
  const mg5 = requireMg5(input.mg5);
  const lock = acquireRunLock(layout.lock, 'baseline');
  try {
    const result = await runMg5Baseline(mg5, layout, summary, {
      events: input.events ?? summary.events.count, seed: input.seed ?? summary.seed, threads: input.threads ?? summary.threads,
    }, reporter);
    return { result, path: layout.baseline.result };
  } finally {
    lock.release();
  }
}

export async function report(out: string): Promise<LaunchComparison & { summaryPath: string }> {
  const layout = launchLayout(resolve(out));
  const summary = readLaunchSummary(layout.summary);
  let result: BaselineResult;
  if (existsSync(layout.baseline.result)) result = JSON.parse(readFileSync(layout.baseline.result, 'utf8')) as BaselineResult;
  else if (existsSync(layout.baseline.run)) result = finishBaseline(layout.baseline, JSON.parse(readFileSync(layout.baseline.run, 'utf8')) as BaselineRun);
  else throw new UserError(`${layout.baseline.result} not found: run madnis-ts baseline ${out} first`);
  const comparison = await compareWithMg5(layout, summary, result);
  return { ...comparison, summaryPath: layout.summary };
}
