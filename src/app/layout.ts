/**
 * The output layout, in one place: where every command writes what. The lower layers
 * (mg5/, generate/, report/) receive these paths; none of them spells a file name of its
 * own output folder.
 *
 *   integrate: OUT/summary.json
 *   train:     OUT/sampler.madnis, OUT/checkpoint.madnis (while training), OUT/summary.json
 *   generate:  OUT/Events/run_XX/unweighted_events.lhe.gz and summary.json (MG5's layout)
 *   gridpack:  OUT/gridpack.tar.gz
 *   merge, generate --cluster: OUT/Events/run_XX/ with the merged events and summary.json;
 *              --cluster also shards/shard_III/Events/run_YY/ (one per shard and attempt),
 *              logs/ (the batch system's) and the job script
 *   launch:    OUT/process/ (the MadEvent folder), OUT/logs/, OUT/build/ (process
 *              libraries), the training's files, OUT/Events/run_XX/, OUT/summary.json,
 *              OUT/report.html, OUT/baseline/ (MG5's own run on a copy of OUT/process);
 *              stamps of the cached steps (process.madnis-output, process.madnis-prepare,
 *              build/P*.inputs, sampler.madnis-inputs) and the lock OUT/.madnis-ts.lock;
 *              with --process-dir DIR (MG5's `output madnis` folder) the same in DIR/madnis/,
 *              the MadEvent folder being DIR itself and the events DIR/Events/run_XX/
 */
import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import type { BaselineLayout } from '../mg5/baseline.js';
import type { PrepareLayout } from '../mg5/launch.js';
import { claimDirectory, ensureDirectory } from '../util/directories.js';

/** The default output folder of a command: madnis_out/<command>_<name>. */
export function defaultOutDir(command: 'integrate' | 'train' | 'launch', name: string): string {
  return resolve(join('madnis_out', `${command}_${name}`));
}

/** launch's name for a card: its file name without extension. */
export function cardName(cardPath: string): string {
  return basename(cardPath).replace(/\.[^.]*$/, '');
}

export function summaryPath(dir: string): string {
  return join(dir, 'summary.json');
}

export interface TrainLayout {
  dir: string;
  sampler: string;
  checkpoint: string;
  summary: string;
}

export function trainLayout(dir: string): TrainLayout {
  return { dir, sampler: join(dir, 'sampler.madnis'), checkpoint: join(dir, 'checkpoint.madnis'), summary: summaryPath(dir) };
}

/** MG5's own event generation, on a copy of the launched folder. */
export function baselineLayout(dir: string): BaselineLayout {
  return {
    dir,
    processDir: join(dir, 'process'),
    script: join(dir, 'mg5_generate_events.mg5'),
    log: join(dir, 'mg5_generate_events.log'),
    run: join(dir, 'run.json'),
    result: join(dir, 'baseline.json'),
  };
}

/** launch: the MG5 steps' folders and stamps (mg5/launch.ts), the training's files, the report and the baseline. */
export interface LaunchLayout extends TrainLayout, PrepareLayout {
  /** the folder whose Events/run_XX hold the events */
  eventsDir: string;
  report: string;
  baseline: BaselineLayout;
  /** the training's stamp: the inputs the sampler file was trained from (util/stamp.ts) */
  samplerStamp: string;
  /** one launch at a time in the folder (util/run_lock.ts) */
  lock: string;
}

/**
 * launch's layout in `dir`. With `processDir` (launch --process-dir, MG5's `output madnis`
 * folder) the MadEvent folder is the user's, `dir` is its madnis/ folder, and the events go
 * where MG5 puts them: processDir/Events/run_XX.
 */
export function launchLayout(dir: string, processDir?: string): LaunchLayout {
  return {
    ...trainLayout(dir),
    processDir: processDir ?? join(dir, 'process'),
    eventsDir: processDir ?? dir,
    logsDir: join(dir, 'logs'),
    buildDir: join(dir, 'build'),
    outputStamp: join(dir, 'process.madnis-output'),
    prepareStamp: join(dir, 'process.madnis-prepare'),
    report: join(dir, 'report.html'),
    baseline: baselineLayout(join(dir, 'baseline')),
    samplerStamp: join(dir, 'sampler.madnis-inputs'),
    lock: join(dir, '.madnis-ts.lock'),
  };
}

/**
 * Claims the next event run folder, MG5's way: OUT/Events/run_01, run_02, … It is created
 * here, exclusively: a run started at the same moment into the same OUT gets the next
 * number, never the same folder.
 */
export function claimRunDir(outDir: string): string {
  const events = join(outDir, 'Events');
  ensureDirectory(events);
  const used = readdirSync(events).map((d) => /^run_(\d+)$/.exec(d)?.[1]).filter(Boolean).map(Number);
  for (let next = used.length ? Math.max(...used) + 1 : 1; ; ++next) {
    const dir = join(events, `run_${String(next).padStart(2, '0')}`);
    if (claimDirectory(dir)) return dir;
  }
}

/** The files of one event run. */
export function eventRunFiles(runDir: string): { lhe: string; summary: string } {
  return { lhe: join(runDir, 'unweighted_events.lhe.gz'), summary: summaryPath(runDir) };
}

/** The gridpack of a trained folder. */
export function gridpackPath(dir: string): string {
  return join(dir, 'gridpack.tar.gz');
}

/** generate --cluster: the shards of one run and the batch system's files, inside its run folder. */
export interface ClusterRunLayout {
  runDir: string;
  shardsDir: string;
  logsDir: string;
  script: string;
  /** the output folder of shard i (its runs go to Events/run_YY inside) */
  shardOut(index: number): string;
}

export function clusterRunLayout(runDir: string): ClusterRunLayout {
  return {
    runDir,
    shardsDir: join(runDir, 'shards'),
    logsDir: join(runDir, 'logs'),
    script: join(runDir, 'shard_job.sh'),
    shardOut: (index) => join(runDir, 'shards', `shard_${String(index).padStart(3, '0')}`),
  };
}
