/**
 * `madnis-ts lhe-info FILE`: what is in an LHE file (from MG5 or madnis-ts), read in one
 * streaming pass: σ from <init>, beams, processes, weight statistics and final states.
 */
import Table from 'cli-table3';
import { Command } from 'commander';

import { lheInfo, type LheInfo } from '../lhe/info.js';
import { count, formatSignificant, percent, withError } from '../util/format.js';

const tableStyle = {
  style: { head: [], border: [] },
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
};

function formatLheInfo(info: LheInfo): string {
  const { init, weights } = info;
  const sigma = init.processes.reduce((s, p) => s + p.xsec, 0);
  const sigmaError = Math.sqrt(init.processes.reduce((s, p) => s + p.xerr * p.xerr, 0));
  const g = (x: number): string => formatSignificant(x, 7);
  const lines: string[] = [];
  lines.push(`\nmadnis-ts lhe-info  ${info.path}`);
  const generator = init.generator ? `, written by ${init.generator.name} ${init.generator.version}` : '';
  lines.push(`  LHE version ${info.version || '?'}, ${count(info.events)} event${info.events === 1 ? '' : 's'}${generator}`);
  const beam = (b: (typeof init.beams)[0]): string => `${b.pdg} at ${g(b.energy)} GeV`;
  lines.push(`  beams: ${beam(init.beams[0])} + ${beam(init.beams[1])}` +
    ` (PDF group ${init.beams[0].pdfGroup}/${init.beams[1].pdfGroup}, set ${init.beams[0].pdfSet}/${init.beams[1].pdfSet})`);
  lines.push(`  weighting strategy IDWTUP = ${init.weighting}`);
  lines.push(`  σ = ${withError(sigma, sigmaError)} pb (sum of XSECUP in <init>)\n`);

  const processes = new Table({ head: ['process', 'σ [pb]', 'σ_max', 'events', 'share'], colAligns: ['right', 'right', 'right', 'right', 'right'], ...tableStyle });
  for (const p of info.processes) {
    const declared = init.processes.find((q) => q.id === p.id);
    processes.push([
      String(p.id),
      declared ? withError(declared.xsec, declared.xerr) : 'not in <init>',
      declared ? g(declared.xmax) : '-',
      count(p.events),
      info.events > 0 ? percent(p.events / info.events, 1) : '-',
    ]);
  }
  lines.push(`${processes.toString()}\n`);

  if (info.events > 0) {
    lines.push(`  weights: mean ${g(weights.mean)}, min ${g(weights.min)}, max ${g(weights.max)}, sum ${g(weights.sum)}`);
    lines.push(`  negative weights: ${count(weights.negative)}; unit weight ${g(weights.unit_weight)}; |weight| above it (overweights, > 1e-6 relative): ` +
      `${count(weights.above_unit_weight)} (${percent(weights.above_unit_weight / info.events)})\n`);
    const states = new Table({ head: ['final state (PDG ids)', 'events', 'share'], colAligns: ['left', 'right', 'right'], ...tableStyle });
    for (const s of info.final_state) states.push([s.pdgs || '(none)', count(s.events), percent(s.events / info.events, 2)]);
    lines.push(`${states.toString()}\n`);
  }
  return `${lines.join('\n')}\n`;
}

export function lheInfoCommand(): Command {
  return new Command('lhe-info')
    .description('summarise a Les Houches Event file (.lhe or .lhe.gz): σ, beams, processes, weights, final states')
    .argument('<file>', 'LHE file, plain or gzip-compressed')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', `
Examples:
  madnis-ts lhe-info madnis_out/generate_ee_mumu/events.lhe.gz
  madnis-ts lhe-info Events/run_01/unweighted_events.lhe.gz --json`)
    .action(async (file: string, options: { json?: boolean }) => {
      const info = await lheInfo(file);
      process.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : formatLheInfo(info));
    });
}
