/**
 * `madnis-ts baseline OUT` runs MG5's own event generation for a launch's process;
 * `madnis-ts report OUT` compares it with the launch (app/compare.ts).
 */
import { Command } from 'commander';

import { baseline, report, type BaselineInput } from '../app/compare.js';
import { count, seconds } from '../util/format.js';
import { sharedOptions, withOptions } from './options.js';
import { printHeadline } from './print.js';
import { terminalReporter } from './progress.js';

export function baselineCommand(): Command {
  const command = new Command('baseline')
    .description("run MG5's own event generation for a launched process (on a copy of OUT/process), for the comparison report")
    .argument('<out>', 'the output folder of madnis-ts launch');
  return withOptions(command, sharedOptions.mg5(), sharedOptions.events('events (default: as many as the launch wrote)'),
    sharedOptions.threadsOverride('cores for MG5 (default: the launch\'s)'), sharedOptions.seedOverride('MG5 seed (default: the launch\'s)'))
    .action(async (out: string, options: Omit<BaselineInput, 'out'>) => {
      const { result, path } = await baseline({ ...options, out }, terminalReporter);
      process.stdout.write(`MG5 baseline: ${count(result.events)} events, σ = ${result.sigma_pb} ± ${result.sigma_error_pb} pb, ${count(result.points)} points, ${seconds(result.wall_time_s)}\n  ${path}\n`);
    });
}

export function reportCommand(): Command {
  return new Command('report')
    .description('compare a launch with its MG5 baseline: OUT/report.html and the comparison in OUT/summary.json')
    .argument('<out>', 'the output folder of madnis-ts launch (with OUT/baseline from launch or madnis-ts baseline)')
    .action(async (out: string) => {
      const r = await report(out);
      printHeadline(r);
      process.stdout.write(`  report: ${r.path}\n  summary: ${r.summaryPath}\n`);
    });
}
