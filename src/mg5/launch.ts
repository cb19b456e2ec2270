/**
 * `madnis-ts launch`: the process card through MG5 into a MadEvent folder, one MadEvent
 * launch to compile it, the process library built from it, then train and generate on
 * MG5's own integrand. Every step reuses what an earlier launch in the same folder built
 * when its inputs are unchanged.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ProcCard } from '../cards/proc_card.js';
import { UserError } from '../util/errors.js';
import { buildSubprocessLibrary, requireGfortran, subprocessFolders, type BuiltLibrary } from './build.js';
import type { Mg5Location } from './locate.js';
import { runMg5 } from './run.js';
import { fillTemplate } from './templates.js';

/** Where the MG5 steps write (the application's output layout decides). */
export interface PrepareLayout {
  /** the launch's folder: MG5 runs there */
  dir: string;
  processDir: string;
  logsDir: string;
  buildDir: string;
  /** stamps of the inputs that made the MG5 output and its compiled launch */
  outputStamp: string;
  prepareStamp: string;
}

export interface PrepareOptions {
  card: ProcCard;
  mg5: Mg5Location;
  layout: PrepareLayout;
  runCard?: string;
  paramCard?: string;
  seed: number;
  version: string;
  onStep?: (step: string) => void;
}

export interface PreparedProcess {
  processDir: string;
  libraries: BuiltLibrary[];
  reused: { output: boolean; prepare: boolean };
}


function digest(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

function readIfGiven(path: string | undefined, what: string): string {
  if (!path) return '';
  if (!existsSync(path)) throw new UserError(`${what} ${path}: no such file`);
  return readFileSync(path, 'utf8');
}

export async function prepareProcess(o: PrepareOptions): Promise<PreparedProcess> {
  const { processDir, logsDir: logs, outputStamp, prepareStamp } = o.layout;
  const outputKey = digest(o.card.commands.join('\n'));
  const reusedOutput = existsSync(outputStamp) && readFileSync(outputStamp, 'utf8') === outputKey && existsSync(processDir);
  if (!reusedOutput) {
    o.onStep?.('MG5: generating the process');
    await runMg5(o.mg5, {
      label: 'generating the process',
      script: fillTemplate('mg5_output.mg5', { version: o.version, proc_card: o.card.path, process_commands: o.card.commands.join('\n'), process_dir: processDir }),
      scriptPath: join(logs, 'mg5_output.mg5'),
      logPath: join(logs, 'mg5_output.log'),
      cwd: o.layout.dir,
      onStep: o.onStep,
    });
    writeFileSync(outputStamp, outputKey);
  }

  const runCard = readIfGiven(o.runCard, '--run-card');
  const paramCard = readIfGiven(o.paramCard, '--param-card');
  const prepareKey = digest(outputKey, runCard, paramCard, String(o.seed));
  const reusedPrepare = reusedOutput && existsSync(prepareStamp) && readFileSync(prepareStamp, 'utf8') === prepareKey;
  if (!reusedPrepare) {
    // MadEvent's launch compiles Fortran, and so does our build
    requireGfortran();
    if (o.runCard) copyFileSync(o.runCard, join(processDir, 'Cards', 'run_card.dat'));
    if (o.paramCard) copyFileSync(o.paramCard, join(processDir, 'Cards', 'param_card.dat'));
    o.onStep?.('MG5: compiling the process (one MadEvent launch)');
    await runMg5(o.mg5, {
      label: 'compiling the process (MadEvent launch)',
      script: fillTemplate('mg5_prepare.mg5', { version: o.version, process_dir: processDir, nevents: '100', seed: String(o.seed) }),
      scriptPath: join(logs, 'mg5_prepare.mg5'),
      logPath: join(logs, 'mg5_prepare.log'),
      cwd: o.layout.dir,
      onStep: o.onStep,
    });
    writeFileSync(prepareStamp, prepareKey);
  }

  const folders = subprocessFolders(processDir);
  if (folders.length === 0) throw new UserError(`MG5 wrote no subprocess folder for ${o.card.path}`);
  const libraries = folders.map((folder) => {
    o.onStep?.(`building the process library for ${folder.split('/').pop()}`);
    return buildSubprocessLibrary(folder, o.layout.buildDir, join(logs, `build_${folder.split('/').pop()}.log`));
  });
  return { processDir, libraries, reused: { output: reusedOutput, prepare: reusedPrepare } };
}
