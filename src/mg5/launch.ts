/**
 * `madnis-ts launch`: the process card through MG5 into a MadEvent folder, one MadEvent
 * launch to compile it with this launch's cards, the process libraries built from it, then
 * train and generate on MG5's own integrand.
 *
 * Each step is cached and crash-consistent (util/stamp.ts): its stamp is removed before it
 * runs and written after its outputs exist, with the hash of its inputs and outputs; a
 * step is reused only when both still match. The cards are part of the compile step: it
 * starts from MG5's default cards (or the user's), applies the `set` lines through MG5's
 * own card reader, and records the cards it compiled with.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ProcCard } from '../cards/proc_card.js';
import { UserError } from '../util/errors.js';
import { faultPoint } from '../util/fault.js';
import { clearStamp, digest, fileDigest, stampMismatch, writeStamp } from '../util/stamp.js';
import { buildSubprocessLibrary, requireGfortran, subprocessFolders, type BuiltLibrary } from './build.js';
import { cardSettingLines, type CardSetting } from './card_settings.js';
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
  /** stamps of the MG5 output and of its compiled launch (util/stamp.ts) */
  outputStamp: string;
  prepareStamp: string;
}

export interface PrepareOptions {
  card: ProcCard;
  mg5: Mg5Location;
  layout: PrepareLayout;
  /** the user's cards; without them MG5's defaults for the process (Cards/*_default.dat) */
  runCard?: string;
  paramCard?: string;
  /** MG5 `set` lines applied to the cards (--set, madnis.yaml's cards.set) */
  settings: CardSetting[];
  seed: number;
  version: string;
  /**
   * The MadEvent folder exists already (MG5's `output madnis`, launch --process-dir): no MG5
   * output step, and its own cards, as the user left them, are the cards unless given.
   */
  outputGiven?: boolean;
  onStep?: (step: string) => void;
}

/** The cards the process was compiled with, and where they came from. */
export interface PreparedCards {
  run_card: { source: string; sha256: string };
  param_card: { source: string; sha256: string };
  set: string[];
  /** MG5's run name tag (run_card run_tag) */
  run_tag: string;
  /** identity of everything that defines the integrand (process, cards, settings): equal keys, equal integrands */
  key: string;
}

export interface PreparedProcess {
  processDir: string;
  libraries: BuiltLibrary[];
  cards: PreparedCards;
  reused: { output: boolean; prepare: boolean };
  /** why a step was redone, for the user */
  redone: string[];
}

/** MG5's installation as far as its output depends on it: its folder and version. */
function mg5Identity(mg5: Mg5Location): string {
  const version = join(mg5.dir, 'VERSION');
  return `${mg5.dir}\n${existsSync(version) ? readFileSync(version, 'utf8') : ''}`;
}

function readIfGiven(path: string | undefined, what: string): string | undefined {
  if (!path) return undefined;
  if (!existsSync(path)) throw new UserError(`${what} ${path}: no such file`);
  return readFileSync(path, 'utf8');
}

/** run_card's run_tag (MG5 names its run files <run>_<tag>_banner.txt). */
export function runTag(runCard: string): string {
  return runCardValue(runCard, 'run_tag') ?? 'tag_1';
}

/**
 * The run card without the lines each MadEvent launch rewrites (nevents, iseed): what the
 * integrand depends on.
 */
export function runCardPhysics(runCard: string): string {
  return runCard.split('\n').filter((line) => !/=\s*(nevents|iseed)\b/.test(line)).join('\n');
}

/** The cards a MadEvent folder is compiled with now, as the prepare step records them. */
export function processCardsDigest(processDir: string): string {
  const cards = join(processDir, 'Cards');
  return digest(runCardPhysics(readFileSync(join(cards, 'run_card.dat'), 'utf8')), readFileSync(join(cards, 'param_card.dat'), 'utf8'));
}

/** The value of a run-card line `VALUE = name`, if present. */
export function runCardValue(runCard: string, name: string): string | undefined {
  return new RegExp(`^\\s*(\\S+)\\s*=\\s*${name}\\b`, 'm').exec(runCard)?.[1];
}

/** The given lines (`VALUE = name`) of `before` back into the run card at `path`, where MG5 changed them. */
function restoreRunCardLines(path: string, before: string, names: string[]): void {
  let text = readFileSync(path, 'utf8');
  for (const name of names) {
    const pattern = new RegExp(`^.*=\\s*${name}\\b.*$`, 'm');
    const line = pattern.exec(before)?.[0];
    if (line !== undefined) text = text.replace(pattern, () => line);
  }
  writeFileSync(path, text);
}

/** A folder made by MG5's output, or a one-line error saying how to make one. */
export function requireMadEventFolder(dir: string): void {
  for (const file of [join(dir, 'Cards', 'proc_card_mg5.dat'), join(dir, 'SubProcesses', 'subproc.mg'), join(dir, 'bin', 'madevent')]) {
    if (!existsSync(file)) throw new UserError(`${dir} is not a MadEvent folder written by MG5 (${file} is missing): make one with 'output madnis ${dir}' inside MG5`);
  }
}

/** A step's outputs, before its stamp vouches for them: a missing one is MG5's failure, with its log. */
function requireStepOutputs(files: string[], step: string, log: string): void {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new UserError(`${step} did not write ${missing.join(', ')}: see ${log}`);
}

export async function prepareProcess(o: PrepareOptions): Promise<PreparedProcess> {
  const { processDir, logsDir: logs, outputStamp, prepareStamp } = o.layout;
  const cards = join(processDir, 'Cards');
  const redone: string[] = [];

  const outputFiles = [join(cards, 'proc_card_mg5.dat'), join(cards, 'run_card_default.dat'), join(cards, 'param_card_default.dat'), join(processDir, 'SubProcesses', 'subproc.mg')];
  // a given folder is its own output step: what it holds now is the key
  const outputKey = o.outputGiven
    ? digest(...outputFiles.map((file) => (existsSync(file) ? fileDigest(file) : 'missing')), mg5Identity(o.mg5))
    : digest(o.card.commands.join('\n'), mg5Identity(o.mg5));
  const outputStale = o.outputGiven ? undefined : stampMismatch(outputStamp, outputKey);
  // MadEvent's launch compiles Fortran, and so does our build: said before MG5 runs
  if (outputStale || !existsSync(prepareStamp)) requireGfortran();
  if (outputStale) {
    if (existsSync(outputStamp) || existsSync(processDir)) redone.push(`MG5 output redone: ${outputStale}`);
    clearStamp(outputStamp);
    clearStamp(prepareStamp);
    // MG5's `output -f` reuses what it finds; a folder left by a killed run is not trusted
    rmSync(processDir, { recursive: true, force: true });
    o.onStep?.('MG5: generating the process');
    await runMg5(o.mg5, {
      label: 'generating the process',
      script: fillTemplate('mg5_output.mg5', { version: o.version, proc_card: o.card.path, process_commands: o.card.commands.join('\n'), process_dir: processDir }),
      scriptPath: join(logs, 'mg5_output.mg5'),
      logPath: join(logs, 'mg5_output.log'),
      cwd: o.layout.dir,
      onStep: o.onStep,
      faultPoint: 'output',
    });
    requireStepOutputs(outputFiles, 'MG5 output', join(logs, 'mg5_output.log'));
    writeStamp(outputStamp, outputKey, outputFiles);
  }

  // the cards this launch compiles with: the user's, else MG5's defaults for the process (a
  // given folder: its own cards, as MG5's questions left them)
  const cardsSource = o.outputGiven ? '' : '_default';
  const runCard = readIfGiven(o.runCard, '--run-card') ?? readFileSync(join(cards, `run_card${cardsSource}.dat`), 'utf8');
  const paramCard = readIfGiven(o.paramCard, '--param-card') ?? readFileSync(join(cards, `param_card${cardsSource}.dat`), 'utf8');
  const setLines = cardSettingLines(o.settings);
  const prepareKey = digest(outputKey, o.outputGiven ? runCardPhysics(runCard) : runCard, paramCard, setLines.join('\n'), String(o.seed));
  // a given folder's run card is the user's (its nevents may change between launches): the key holds its physics
  const prepareFiles = [...(o.outputGiven ? [] : [join(cards, 'run_card.dat')]), join(cards, 'param_card.dat'), join(processDir, 'SubProcesses', 'results.dat')];
  const prepareStale = stampMismatch(prepareStamp, prepareKey);
  if (prepareStale) {
    if (!outputStale && existsSync(prepareStamp)) redone.push(`MG5 compile redone: ${prepareStale}`);
    clearStamp(prepareStamp);
    requireGfortran();
    // the cards are copied in as part of this step (a killed step leaves no stamp)
    if (o.runCard) copyFileSync(o.runCard, join(cards, 'run_card.dat'));
    else if (!o.outputGiven) copyFileSync(join(cards, 'run_card_default.dat'), join(cards, 'run_card.dat'));
    if (o.paramCard) copyFileSync(o.paramCard, join(cards, 'param_card.dat'));
    else if (!o.outputGiven) copyFileSync(join(cards, 'param_card_default.dat'), join(cards, 'param_card.dat'));
    rmSync(join(processDir, 'SubProcesses', 'results.dat'), { force: true });
    o.onStep?.('MG5: compiling the process (one MadEvent launch)');
    await runMg5(o.mg5, {
      label: 'compiling the process (MadEvent launch)',
      script: fillTemplate('mg5_prepare.mg5', {
        version: o.version, process_dir: processDir, nevents: '100', seed: String(o.seed), settings: setLines.map((l) => `${l}\n`).join(''),
      }),
      scriptPath: join(logs, 'mg5_prepare.mg5'),
      logPath: join(logs, 'mg5_prepare.log'),
      cwd: o.layout.dir,
      onStep: o.onStep,
      // MG5 only warns about a bad `set` and runs on with the card unchanged
      fatal: /invalid set command.*|.*not a valid (?:entry|value).*/i,
      faultPoint: 'prepare',
      fatalHint: 'check the --set / cards.set keys and values against the run and param cards',
    });
    requireStepOutputs(prepareFiles, "MadEvent's compile launch (a failed or zero survey?)", join(logs, 'mg5_prepare.log'));
    // the compile launch ran 100 events with this launch's seed: the user's folder keeps its own
    if (o.outputGiven) restoreRunCardLines(join(cards, 'run_card.dat'), runCard, ['nevents', 'iseed']);
    writeStamp(prepareStamp, prepareKey, prepareFiles);
  }

  const folders = subprocessFolders(processDir);
  if (folders.length === 0) throw new UserError(`MG5 wrote no subprocess folder for ${o.card.path}`);
  const libraries = folders.map((folder) => {
    o.onStep?.(`building the process library for ${folder.split('/').pop()}`);
    const built = buildSubprocessLibrary(folder, o.layout.buildDir, join(logs, `build_${folder.split('/').pop()}.log`));
    faultPoint('build');
    return built;
  });
  const compiledRunCard = readFileSync(join(cards, 'run_card.dat'), 'utf8');
  return {
    processDir,
    libraries,
    cards: {
      run_card: { source: o.runCard ?? (o.outputGiven ? join(cards, 'run_card.dat') : "MG5's default (Cards/run_card_default.dat)"), sha256: fileDigest(join(cards, 'run_card.dat')) },
      param_card: { source: o.paramCard ?? (o.outputGiven ? join(cards, 'param_card.dat') : "MG5's default (Cards/param_card_default.dat)"), sha256: fileDigest(join(cards, 'param_card.dat')) },
      set: setLines,
      run_tag: runTag(compiledRunCard),
      key: processCardsDigest(processDir),
    },
    reused: { output: !outputStale, prepare: !prepareStale },
    redone,
  };
}
