/**
 * MG5 process cards (proc_card.dat) as users write them: validated line by line before
 * MG5 runs, so a typo costs a second, not an MG5 start-up. madnis-ts chooses the output
 * folder and launches itself, so `output` lines are dropped and `launch` is refused.
 */
import { readFileSync } from 'node:fs';

import { UserError } from '../util/errors.js';

export interface ProcCard {
  path: string;
  model: string;
  /** the commands handed to MG5, in order (imports, defines, generate/add process, set) */
  commands: string[];
  processes: string[];
}

const SUPPORTED = 'import model, define, generate, add process, set, output';

export function parseProcCard(text: string, path: string): ProcCard {
  const commands: string[] = [];
  const processes: string[] = [];
  let model = 'sm';
  let sawGenerate = false;
  const fail = (line: number, message: string): never => {
    throw new UserError(`${path} line ${line}: ${message}`);
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (!content) return;
    const words = content.split(/\s+/);
    const command = words[0]!.toLowerCase();
    switch (command) {
      case 'import':
        if (words[1] !== 'model' || !words[2]) fail(line, `expected 'import model NAME', got '${content}'`);
        model = words[2]!;
        commands.push(content);
        return;
      case 'define':
        if (words.length < 3) fail(line, `expected 'define LABEL = particles…', got '${content}'`);
        commands.push(content);
        return;
      case 'generate':
        if (words.length < 2) fail(line, "'generate' needs a process, e.g. 'generate p p > e+ e-'");
        if (sawGenerate) fail(line, "a second 'generate' would discard the first process: use 'add process'");
        if (!content.includes('>')) fail(line, `'${content}' has no '>' between initial and final state`);
        sawGenerate = true;
        processes.push(words.slice(1).join(' '));
        commands.push(content);
        return;
      case 'add':
        if (words[1] !== 'process' || words.length < 3) fail(line, `expected 'add process …', got '${content}'`);
        if (!sawGenerate) fail(line, "'add process' before any 'generate'");
        if (!content.includes('>')) fail(line, `'${content}' has no '>' between initial and final state`);
        processes.push(words.slice(2).join(' '));
        commands.push(content);
        return;
      case 'set':
        if (words.length < 3) fail(line, `expected 'set OPTION VALUE', got '${content}'`);
        commands.push(content);
        return;
      case 'output':
        // madnis-ts writes the madevent output into its own folder
        if (words[1] && !words[1].startsWith('/') && !words[1].startsWith('.') && words[1] !== 'madevent' && !words[1].startsWith('-')) {
          if (['standalone', 'standalone_cpp', 'pythia8', 'matchbox', 'aloha', 'madweight'].includes(words[1])) {
            fail(line, `'output ${words[1]}': madnis-ts needs MG5's madevent output; remove this line (madnis-ts chooses the output folder)`);
          }
        }
        return;
      case 'launch':
        return fail(line, "'launch': madnis-ts launches the process itself; remove this line (run settings go in --run-card)");
      default:
        return fail(line, `unknown or unsupported command '${words[0]}' (supported: ${SUPPORTED})`);
    }
  });
  if (!sawGenerate) throw new UserError(`${path}: no 'generate' line: nothing to compute`);
  return { path, model, commands, processes };
}

export function readProcCard(path: string): ProcCard {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read process card ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseProcCard(text, path);
}
