/**
 * Running the user's MG5 on a command script: the log streams to a file, the current
 * step to a spinner, and a failure becomes one error naming MG5's own message and the log.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { execa } from 'execa';

import { addChildGroup, killGroups, removeChildGroup } from '../util/child_groups.js';
import { ensureDirectory } from '../util/directories.js';
import { faultPoint } from '../util/fault.js';
import { UserError } from '../util/errors.js';
import type { Mg5Location } from './locate.js';

export interface Mg5RunOptions {
  /** what this run does, for messages: "generating the process" */
  label: string;
  script: string;
  scriptPath: string;
  logPath: string;
  cwd: string;
  onStep?: (step: string) => void;
  timeoutMs?: number;
  /** an output line that fails the run at once (MG5 warns about some mistakes and runs on) */
  fatal?: RegExp;
  /** what to do about a fatal line, for the error */
  fatalHint?: string;
  /** fault-injection point while MG5 runs (util/fault.ts) */
  faultPoint?: string;
}

// MG5 reports many errors on stdout and may still exit 0.
// A zero survey is only CRITICAL in MG5's log (then a ZeroResult).
const ERROR_LINE = /(interrupted with error|Survey return zero cross section|ZeroResult|^\s*(?:Error|MadGraph5Error|InvalidCmd|Error detected)\b|No amplitudes generated|is not a valid particle|^\s*Command ".*" interrupted)/i;

export async function runMg5(mg5: Mg5Location, options: Mg5RunOptions): Promise<void> {
  ensureDirectory(dirname(options.logPath));
  writeFileSync(options.scriptPath, options.script);
  const log = createWriteStream(options.logPath);
  const errors: string[] = [];
  const tail: string[] = [];
  const child = execa('python3', [join(mg5.dir, 'bin', 'mg5_aMC'), options.scriptPath], {
    cwd: options.cwd,
    all: true,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs,
    env: { PYTHONUNBUFFERED: '1' },
    // its own process group: stopping madnis-ts stops MG5 and everything MG5 started
    detached: true,
  });
  const pgid = child.pid;
  if (pgid !== undefined) addChildGroup(pgid);
  let fatal: string | undefined;
  let buffered = '';
  child.all?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const clean = line.replace(/\x1b\[[0-9;]*m/g, '').trim();
      if (!clean) continue;
      tail.push(clean);
      if (options.faultPoint && tail.length === 5) faultPoint(options.faultPoint);
      if (tail.length > 20) tail.shift();
      if (ERROR_LINE.test(clean)) errors.push(clean);
      if (!fatal && options.fatal?.test(clean)) {
        fatal = clean.replace(/^(WARNING|ERROR|INFO):\s*/, '');
        if (pgid !== undefined) killGroups([pgid]);
      }
      const info = /^INFO:\s*(.+)$/.exec(clean);
      if (info) options.onStep?.(info[1]!.slice(0, 70));
    }
  });
  const result = await child;
  if (pgid !== undefined) {
    // what MG5 left running in its group (its jobs) ends with it
    killGroups([pgid]);
    removeChildGroup(pgid);
  }
  await new Promise<void>((resolve) => log.end(resolve));
  if (fatal) throw new UserError(`MadGraph5 refused this while ${options.label}: ${fatal}${options.fatalHint ? `: ${options.fatalHint}` : ''} (log: ${options.logPath})`);
  if (result.failed && (result as { code?: string }).code === 'ENOENT') {
    throw new UserError(`cannot run python3 for MadGraph5 (${mg5.dir}): install python3`);
  }
  if (result.timedOut) throw new UserError(`MadGraph5 timed out while ${options.label}: see ${options.logPath}`);
  if (result.exitCode !== 0 || errors.length > 0) {
    const reason = errors.length ? errors.slice(-3).join(' | ') : tail.slice(-3).join(' | ');
    throw new UserError(`MadGraph5 failed while ${options.label}: ${reason} (full log: ${options.logPath})`);
  }
}
