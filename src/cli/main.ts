/**
 * The madnis-ts command line. Exit codes: 0 ok, 1 user error (one-line reason on
 * stderr), 2 internal error.
 */
import { Command, CommanderError } from 'commander';

import { errorMessage, isStorageError, isUserError, storageError } from '../util/errors.js';
import { generateCommand } from './generate_command.js';
import { gridpackCommand } from './gridpack_command.js';
import { integrateCommand } from './integrate_command.js';
import { launchCommand } from './launch_command.js';
import { lheInfoCommand } from './lhe_info_command.js';
import { mg5PluginCommand } from './mg5_plugin_command.js';
import { mergeCommand } from './merge_command.js';
import { baselineCommand, reportCommand } from './report_command.js';
import { trainCommand } from './train_command.js';
import { VERSION } from '../version.js';

export function buildProgram(): Command {
  const program = new Command('madnis-ts')
    .description('Neural importance sampling (MadNIS) for MadGraph5_aMC@NLO processes')
    .version(VERSION, '-V, --version')
    .exitOverride();
  program.addCommand(integrateCommand().exitOverride());
  program.addCommand(trainCommand().exitOverride());
  program.addCommand(generateCommand().exitOverride());
  program.addCommand(gridpackCommand().exitOverride());
  program.addCommand(mergeCommand().exitOverride());
  program.addCommand(lheInfoCommand().exitOverride());
  program.addCommand(launchCommand().exitOverride());
  program.addCommand(baselineCommand().exitOverride());
  program.addCommand(reportCommand().exitOverride());
  program.addCommand(mg5PluginCommand().exitOverride());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (or the help/version text)
      return error.exitCode === 0 ? 0 : 1;
    }
    // a full disk in a writer that did not name its file
    if (isStorageError(error) && !isUserError(error)) error = storageError(error, (error as NodeJS.ErrnoException).path ?? 'an output file');
    if (isUserError(error)) {
      process.stderr.write(`madnis-ts: error: ${errorMessage(error)}\n`);
      return 1;
    }
    process.stderr.write(`madnis-ts: internal error: ${errorMessage(error)}\n`);
    if (process.env.MADNIS_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write('(set MADNIS_DEBUG=1 for a stack trace, and please report it)\n');
    return 2;
  }
}
