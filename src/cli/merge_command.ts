/** `madnis-ts merge RUN... --out DIR`: shards into one LHE file (app/merge.ts). */
import { Command } from 'commander';

import { merge, type MergeSummary } from '../app/merge.js';
import { count, withError } from '../util/format.js';
import { sharedOptions } from './options.js';
import { printScaleVariations } from './print.js';
import { terminalReporter } from './progress.js';

export function printMerge(summary: MergeSummary, summaryPath: string): void {
  process.stdout.write(
    `merged ${summary.shards.length} shards: ${count(summary.events)} events in ${summary.lhe_file}\n` +
      `  σ = ${withError(summary.sigma_pb, summary.sigma_error_pb)} pb (${summary.sigma_source})\n` +
      `  weights: XWGTUP = σ·N·f/Σf (unit weight ${summary.normalisation.unit_weight_pb.toPrecision(8)} pb)\n`,
  );
  printScaleVariations(summary.scale_variations);
  process.stdout.write(`  summary: ${summaryPath}\n`);
}

export function mergeCommand(): Command {
  return new Command('merge')
    .description('merge the shards of one gridpack (generate --shard i/N runs) into one LHE file with one <init>')
    .argument('<runs...>', 'the shards\' run folders (Events/run_XX) or their summary.json')
    .addOption(sharedOptions.out('output folder: the merged events go to DIR/Events/run_XX/').makeOptionMandatory())
    .action(async (runs: string[], options: { out: string }) => {
      const result = await merge({ runs, out: options.out }, terminalReporter);
      printMerge(result.summary, result.summaryPath);
    });
}
