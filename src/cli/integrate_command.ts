/** `madnis-ts integrate <process>`: plain multi-channel Monte Carlo (app/integrate.ts). */
import { Command } from 'commander';

import { integrate, type IntegrateInput } from '../app/integrate.js';
import { DEFAULT_PROCESS } from '../process/spec.js';
import { parsePoints, sharedOptions, withOptions } from './options.js';
import { printIntegrate } from './print.js';
import { terminalReporter } from './progress.js';

export function integrateCommand(): Command {
  const command = new Command('integrate')
    .description('integrate a process with plain multi-channel Monte Carlo (uniform sampling, prior channel weights)')
    .argument('[process]', 'builtin:NAME[?key=value&...] or the path of a process library', DEFAULT_PROCESS)
    .option('-n, --points <N>', 'phase-space points, split evenly over the channels', parsePoints, 1_000_000);
  return withOptions(command, sharedOptions.seed(), sharedOptions.threads(),
    sharedOptions.out('output folder for summary.json (default: madnis_out/integrate_<process>)'), sharedOptions.pdf(), sharedOptions.mg5())
    .addHelpText('after', `
Examples:
  madnis-ts integrate                                   # ${DEFAULT_PROCESS}, 10^6 points
  madnis-ts integrate 'builtin:ee_mumu?sqrts=500&cuts=mg5' -n 1e6
  madnis-ts integrate 'builtin:dy_zprime?zprime=off' --pdf NNPDF23_lo_as_0130_qed_mem0.grid`)
    .action(async (spec: string, options: Omit<IntegrateInput, 'spec'>) => {
      const { summary, summaryPath } = await integrate({ ...options, spec }, terminalReporter);
      printIntegrate(summary, summaryPath);
    });
}
