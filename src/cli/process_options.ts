/** Options shared by every command that takes a process. */
import { Command } from 'commander';

import { defaultThreads, parseSeed, parseThreads } from './options.js';

export function addProcessOptions(command: Command): Command {
  return command
    .option('-s, --seed <S>', 'random seed (the same seed and thread count give identical numbers)', parseSeed, 1)
    .option('-t, --threads <T>', 'worker threads (default: all cores)', parseThreads, defaultThreads())
    .option('--pdf <PATH>', 'PDF grid (NNPDF23_lo_as_0130_qed_mem0.grid) for hadron-collider built-ins')
    .option('--mg5 <DIR>', 'MadGraph5_aMC@NLO installation (else MG5_HOME or mg5_aMC on PATH)');
}
