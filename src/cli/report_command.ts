/**
 * `madnis-ts baseline OUT` runs MG5's own event generation for a launch's process;
 * `madnis-ts report OUT` compares it with the launch and writes OUT/report.html. `launch`
 * runs both at its end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import Table from 'cli-table3';
import { Command } from 'commander';

import { BASELINE_RUN, finishBaseline, runBaseline, type BaselineResult, type BaselineRun } from '../mg5/baseline.js';
import { requireMg5 } from '../mg5/locate.js';
import type { Comparison } from '../report/compare.js';
import { readLaunchSummary, reportLaunch } from '../report/launch_report.js';
import type { CompositionComparison } from '../report/composition.js';
import { headlineRows } from '../report/report.js';
import { UserError } from '../util/errors.js';
import { count, seconds } from '../util/format.js';
import { parseCount, parseSeed, parseThreads } from './options.js';
import { withSpinner } from './progress.js';
import { VERSION } from './version.js';

export function printHeadline(report: { comparison: Comparison; composition: CompositionComparison[]; warnings: string[] }): void {
  const table = new Table({ head: ['', 'madnis-ts', 'MG5', 'madnis-ts / MG5'], style: { head: [], border: [] } });
  for (const row of headlineRows(report.comparison)) table.push(row);
  process.stdout.write(`\nmadnis-ts vs MG5 (same cards, seed and threads)\n${table.toString()}\n`);
  for (const k of report.composition) process.stdout.write(`  composition by ${k.label}: χ²/ndf = ${k.chi2.toFixed(1)}/${k.ndf}, p = ${k.p.toPrecision(3)}\n`);
  for (const warning of report.warnings) process.stdout.write(`  WARNING: ${warning}\n`);
}

interface BaselineOptions {
  mg5?: string;
  events?: number;
  threads?: number;
  seed?: number;
}

export function baselineCommand(): Command {
  return new Command('baseline')
    .description("run MG5's own event generation for a launched process (on a copy of OUT/process), for the comparison report")
    .argument('<out>', 'the output folder of madnis-ts launch')
    .option('--mg5 <DIR>', 'MadGraph5_aMC@NLO installation (else MG5_HOME or mg5_aMC on PATH)')
    .option('-n, --events <N>', 'events (default: as many as the launch wrote)', parseCount('--events'))
    .option('-t, --threads <T>', 'cores for MG5 (default: the launch\'s)', parseThreads)
    .option('-s, --seed <S>', 'MG5 seed (default: the launch\'s)', parseSeed)
    .action(async (out: string, options: BaselineOptions) => {
      const outDir = resolve(out);
      const summary = readLaunchSummary(outDir);
      const mg5 = requireMg5(options.mg5);
      const result = await withSpinner(
        'MG5 baseline', 'MG5 baseline failed',
        (onStep) => runBaseline({
          mg5, processDir: summary.process_dir, outDir: join(outDir, 'baseline'), events: options.events ?? summary.events.count,
          seed: options.seed ?? summary.seed, threads: options.threads ?? summary.threads, version: VERSION, onStep,
        }),
        () => `MG5 baseline done (Events/${BASELINE_RUN})`,
      );
      process.stdout.write(`MG5 baseline: ${count(result.events)} events, σ = ${result.sigma_pb} ± ${result.sigma_error_pb} pb, ${count(result.points)} points, ${seconds(result.wall_time_s)}\n  ${join(outDir, 'baseline', 'baseline.json')}\n`);
    });
}

export function reportCommand(): Command {
  return new Command('report')
    .description('compare a launch with its MG5 baseline: OUT/report.html and the comparison in OUT/summary.json')
    .argument('<out>', 'the output folder of madnis-ts launch (with OUT/baseline from launch or madnis-ts baseline)')
    .action(async (out: string) => {
      const outDir = resolve(out);
      const summary = readLaunchSummary(outDir);
      const path = join(outDir, 'baseline', 'baseline.json');
      const runPath = join(outDir, 'baseline', 'run.json');
      let baseline: BaselineResult;
      if (existsSync(path)) baseline = JSON.parse(readFileSync(path, 'utf8')) as BaselineResult;
      else if (existsSync(runPath)) baseline = finishBaseline(join(outDir, 'baseline'), JSON.parse(readFileSync(runPath, 'utf8')) as BaselineRun);
      else throw new UserError(`${path} not found: run madnis-ts baseline ${out} first`);
      const report = await reportLaunch(outDir, summary, baseline);
      printHeadline(report);
      process.stdout.write(`  report: ${report.path}\n  summary: ${join(outDir, 'summary.json')}\n`);
    });
}
