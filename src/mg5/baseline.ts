/**
 * The MG5 baseline: MadEvent's own event generation (`launch`, i.e. generate_events:
 * survey, refine, unweighting) on a copy of the launched process folder, with the same
 * cards, seed and number of events, timed on the same machine and thread count. The
 * user's folder (OUT/process) is never modified; the copy lives in OUT/baseline/process, and
 * its scale is clustered as madnis-ts's libraries cluster it (mg5/clustering.ts), so that
 * both integrate the same function.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

import { writeJsonAtomic } from '../util/atomic_write.js';
import { ensureDirectory } from '../util/directories.js';
import { UserError } from '../util/errors.js';
import { clusteringPatched, patchClusteringScale, SCALE_DEFINITION } from './clustering.js';
import type { Mg5Location } from './locate.js';
import { processCardsDigest, runTag } from './launch.js';
import { parseBanner, parseJobLog, parseResultsDat, type Mg5JobLog, type Mg5JobResult } from './results.js';
import { runMg5 } from './run.js';
import { fillTemplate } from './templates.js';

export const BASELINE_RUN = 'baseline';

/** The baseline's folder: the copy MG5 runs in, its script and log, what it measured and the parsed result. */
export interface BaselineLayout {
  dir: string;
  processDir: string;
  script: string;
  log: string;
  run: string;
  result: string;
}

export interface BaselineOptions {
  mg5: Mg5Location;
  /** the launched MadEvent folder (OUT/process) */
  processDir: string;
  /** where the baseline writes (the application's output layout decides) */
  layout: BaselineLayout;
  events: number;
  seed: number;
  threads: number;
  version: string;
  onStep?: (step: string) => void;
}

export interface BaselineChannel {
  /** P folder and MadEvent channel (graph) name, as madnis-ts names its channels: P1_qq_ll/G1 */
  label: string;
  sigma_pb: number;
  error_pb: number;
  /** integrand evaluations of the channel's jobs (survey and refine), from its results.dat */
  points: number;
  /** unweighted events the channel's jobs kept before the final combination */
  unweighted_events: number;
  /** ⟨|w|⟩/w_max of the last survey iteration (MadEvent's job log), when the log exists */
  survey_efficiency?: number;
  survey_points_nonzero_fraction?: number;
}

export interface BaselineResult {
  process_dir: string;
  run: string;
  /** the run card's run_tag (MG5 names the run's files with it) */
  run_tag: string;
  /** the cards MG5 ran with (mg5/launch.ts processCardsDigest): the report compares only equal ones */
  cards_key: string;
  events_file: string;
  events: number;
  sigma_pb: number;
  sigma_error_pb: number;
  /** the scale MG5 ran with (mg5/clustering.ts); absent in results from before it was patched: MadEvent's own */
  scale_definition?: string;
  /** every integrand evaluation of the run (survey and refine), from SubProcesses/results.dat */
  points: number;
  unweighted_before_combination: number;
  wall_time_s: number;
  /** wall time until MG5 reported 'End survey' (its fixed cost, before refine and unweighting), when seen */
  survey_wall_s?: number;
  threads: number;
  seed: number;
  channels: BaselineChannel[];
  log: string;
  /** job logs that could not be read (their channel then has no survey efficiency) */
  warnings?: string[];
}

/** What the run itself measured, saved before its results are parsed (OUT/baseline/run.json). */
export interface BaselineRun {
  process_dir: string;
  run: string;
  run_tag: string;
  cards_key: string;
  wall_time_s: number;
  survey_wall_s?: number;
  threads: number;
  seed: number;
  log: string;
}


/** The launched folder without what madnis-ts or earlier runs left in it. */
export function copyProcessFolder(from: string, to: string): void {
  if (!existsSync(join(from, 'SubProcesses'))) throw new UserError(`${from} is not a MadEvent folder (no SubProcesses): run madnis-ts launch first`);
  rmSync(to, { recursive: true, force: true });
  ensureDirectory(to);
  // entry by entry: with launch --process-dir the copy lives inside the folder (DIR/madnis/baseline)
  for (const entry of readdirSync(from)) {
    if (!relative(join(from, entry), to).startsWith('..')) continue;
    copyEntry(from, join(from, entry), join(to, entry));
  }
}

function copyEntry(from: string, source: string, to: string): void {
  cpSync(source, to, {
    recursive: true,
    // make must find MG5's objects up to date, or the baseline's time includes recompiling
    preserveTimestamps: true,
    // P*/cuts.f and the like are relative links to SubProcesses/: resolved, they would point
    // into the launched folder, and the copy would compile its (unpatched) sources
    verbatimSymlinks: true,
    filter: (source) => {
      const rel = relative(from, source).split('/');
      // our run folders and library copies, earlier runs' events and job folders
      if (rel[0] === 'SubProcesses' && rel.length === 3 && (rel[2] === 'madnis' || /^G/.test(rel[2]!))) return false;
      if (rel[0] === 'Events' && rel.length >= 2) return false;
      if (rel[0] === 'SubProcesses' && rel.length === 2 && rel[1] === 'results.dat') return false;
      return true;
    },
  });
}

/** The channels' job folders (`P*\/G<graph>`) after a run, with their results and survey logs. */
export function readBaselineChannels(processDir: string, run: string, warnings: string[] = []): BaselineChannel[] {
  const sub = join(processDir, 'SubProcesses');
  const channels: BaselineChannel[] = [];
  for (const p of readdirSync(sub).filter((d) => /^P\d+_/.test(d)).sort()) {
    const jobs = readdirSync(join(sub, p)).filter((d) => /^G\d+(\.\d+)?$/.test(d));
    jobs.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    for (const g of jobs) {
      const resultsPath = join(sub, p, g, 'results.dat');
      if (!existsSync(resultsPath)) continue;
      const r: Mg5JobResult = parseResultsDat(readFileSync(resultsPath, 'utf8'), resultsPath);
      const channel: BaselineChannel = {
        label: `${p}/${g}`, sigma_pb: r.sigma_pb, error_pb: Math.hypot(r.error_uncorrelated_pb, r.error_correlated_pb),
        points: r.points, unweighted_events: r.unweighted_events,
      };
      for (const name of [`${run}_log.txt`, 'log.txt', 'run1_app.log']) {
        const logPath = join(sub, p, g, name);
        if (!existsSync(logPath)) continue;
        let log: Mg5JobLog;
        try {
          log = parseJobLog(readFileSync(logPath, 'utf8'), logPath);
        } catch (error) {
          // one unreadable log costs that channel's survey efficiency, not the whole run
          warnings.push(error instanceof Error ? error.message : String(error));
          break;
        }
        const last = log.iterations.at(-1);
        if (last) {
          channel.survey_efficiency = last.sampler_efficiency;
          channel.survey_points_nonzero_fraction = last.nonzero_fraction;
        }
        break;
      }
      channels.push(channel);
    }
  }
  return channels;
}

/** Reads a finished baseline run (also for `madnis-ts report` on an existing OUT/baseline). */
export function readBaseline(processDir: string, run: string, extra: Omit<BaselineRun, 'process_dir' | 'run'>): BaselineResult {
  const { run_tag, cards_key, ...timing } = extra;
  const totalPath = join(processDir, 'SubProcesses', 'results.dat');
  if (!existsSync(totalPath)) throw new UserError(`${totalPath} is missing: the MG5 baseline run did not finish (see ${extra.log})`);
  const total = parseResultsDat(readFileSync(totalPath, 'utf8'), totalPath);
  const eventsDir = join(processDir, 'Events', run);
  // a run.json from before the tag was recorded: MG5's default tag
  const bannerPath = join(eventsDir, `${run}_${run_tag ?? 'tag_1'}_banner.txt`);
  if (!existsSync(bannerPath)) throw new UserError(`${bannerPath} is missing: the MG5 baseline run wrote no events (see ${extra.log})`);
  const banner = parseBanner(readFileSync(bannerPath, 'utf8'), bannerPath);
  const eventsFile = ['unweighted_events.lhe.gz', 'unweighted_events.lhe'].map((f) => join(eventsDir, f)).find((f) => existsSync(f));
  if (!eventsFile) throw new UserError(`${eventsDir} has no unweighted_events.lhe(.gz) (see ${extra.log})`);
  const warnings: string[] = [];
  const channels = readBaselineChannels(processDir, run, warnings);
  return {
    process_dir: processDir, run, run_tag, cards_key, events_file: eventsFile, events: banner.events,
    sigma_pb: total.sigma_pb, sigma_error_pb: Math.hypot(total.error_uncorrelated_pb, total.error_correlated_pb),
    ...(clusteringPatched(processDir) ? { scale_definition: SCALE_DEFINITION } : {}),
    points: total.points, unweighted_before_combination: total.unweighted_events,
    wall_time_s: timing.wall_time_s, survey_wall_s: timing.survey_wall_s, threads: timing.threads, seed: timing.seed,
    channels, log: timing.log, ...(warnings.length ? { warnings } : {}),
  };
}

export async function runBaseline(o: BaselineOptions): Promise<BaselineResult> {
  const { processDir, log: logPath } = o.layout;
  o.onStep?.('MG5 baseline: copying the process folder');
  copyProcessFolder(o.processDir, processDir);
  patchClusteringScale(processDir);
  // what MG5 runs with: its cards (the report compares only equal ones) and run name tag
  const cardsKey = processCardsDigest(processDir);
  const tag = runTag(readFileSync(join(processDir, 'Cards', 'run_card.dat'), 'utf8'));
  rmSync(o.layout.run, { force: true });
  rmSync(o.layout.result, { force: true });
  const start = performance.now();
  let surveyEnd: number | undefined;
  await runMg5(o.mg5, {
    label: `generating ${o.events} events with MadEvent (baseline)`,
    script: fillTemplate('mg5_baseline.mg5', {
      version: o.version, process_dir: processDir, run: BASELINE_RUN, nevents: String(o.events), seed: String(o.seed), threads: String(o.threads),
    }),
    scriptPath: o.layout.script,
    logPath,
    cwd: o.layout.dir,
    faultPoint: 'baseline',
    onStep: (step) => {
      if (surveyEnd === undefined && /End survey/i.test(step)) surveyEnd = performance.now();
      o.onStep?.(`MG5 baseline: ${step}`);
    },
  });
  const wall = (performance.now() - start) / 1000;
  const survey = surveyEnd === undefined ? undefined : (surveyEnd - start) / 1000;
  // the timing first: a results file MG5 wrote oddly must not cost the (long) run itself
  const measured: BaselineRun = { process_dir: processDir, run: BASELINE_RUN, run_tag: tag, cards_key: cardsKey, wall_time_s: wall, survey_wall_s: survey, threads: o.threads, seed: o.seed, log: logPath };
  writeJsonAtomic(o.layout.run, measured);
  return finishBaseline(o.layout, measured);
}

/** Reads the finished run into the baseline's result file (again, for `report`, after a failure). */
export function finishBaseline(layout: Pick<BaselineLayout, 'result'>, measured: BaselineRun): BaselineResult {
  const { process_dir, run, ...extra } = measured;
  const result = readBaseline(process_dir, run, extra);
  writeJsonAtomic(layout.result, result);
  return result;
}
