/**
 * MG5's banner blocks for an event file of a launched process: the cards of its MadEvent
 * folder, under the tags and in the order MG5 writes them (madgraph/various/banner.py), so
 * that MG5's own tools (MadSpin, systematics, the shower interfaces) read our files as
 * theirs: MGVersion, MG5ProcCard (Cards/proc_card_mg5.dat), MGProcCard
 * (SubProcesses/procdef_mg5.dat), MGRunCard (Cards/run_card.dat, with this run's nevents
 * and iseed, as MG5's banner has them, and event_norm average, as our weights are), slha
 * (Cards/param_card.dat).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { LheHeaderSection } from '../lhe/writer.js';
import type { LoadedProcess } from '../process/load.js';

/** The MadEvent folder a process's libraries were built from, when they are MG5's. */
export function mg5ProcessDir(process: LoadedProcess): string | undefined {
  const dir = process.parts[0]?.parameters.mg5_dir;
  if (typeof dir !== 'string') return undefined;
  const processDir = dirname(dirname(dir));
  return existsSync(join(processDir, 'Cards')) ? processDir : undefined;
}

/** `value = key` lines of an MG5 card get a new value (the rest of the line is kept). */
export function setCardValue(card: string, key: string, value: string): string {
  return card.replace(new RegExp(`^(\\s*)\\S+(\\s*=\\s*${key}\\b)`, 'm'), `$1${value}$2`);
}

export function mg5BannerSections(processDir: string, run: { events: number; seed: number }): LheHeaderSection[] {
  const read = (...path: string[]) => {
    const file = join(processDir, ...path);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
  const sections: LheHeaderSection[] = [];
  const version = read('MGMEVersion.txt')?.replace(/^#/, '').trim();
  if (version) sections.push({ name: 'MGVersion', text: version });
  const proc = read('Cards', 'proc_card_mg5.dat');
  if (proc) sections.push({ name: 'MG5ProcCard', text: proc });
  const procdef = read('SubProcesses', 'procdef_mg5.dat');
  if (procdef) sections.push({ name: 'MGProcCard', text: procdef });
  const runCard = read('Cards', 'run_card.dat');
  // our weights are always `event_norm average` (IDWTUP = −4): MG5's systematics scales its
  // cross sections by the card's event_norm, which must say so
  if (runCard) {
    let text = setCardValue(runCard, 'nevents', String(run.events));
    text = setCardValue(text, 'iseed', String(run.seed));
    sections.push({ name: 'MGRunCard', text: setCardValue(text, 'event_norm', 'average') });
  }
  const param = read('Cards', 'param_card.dat');
  if (param) sections.push({ name: 'slha', text: param });
  return sections;
}
