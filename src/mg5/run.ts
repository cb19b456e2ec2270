/**
 * Running the user's MG5 on a command script: the log streams to a file, the current
 * step to a spinner, and a failure becomes one error naming MG5's own message and the log.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { execa } from 'execa';

import { ensureDirectory } from '../util/directories.js';
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
}

// MG5 reports many errors on stdout and may still exit 0.
const ERROR_LINE = /(interrupted with error|^\s*(?:Error|MadGraph5Error|InvalidCmd|Error detected)\b|No amplitudes generated|is not a valid particle|^\s*Command ".*" interrupted)/i;

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
  });
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
      if (tail.length > 20) tail.shift();
      if (ERROR_LINE.test(clean)) errors.push(clean);
      const info = /^INFO:\s*(.+)$/.exec(clean);
      if (info) options.onStep?.(info[1]!.slice(0, 70));
    }
  });
  const result = await child;
  await new Promise<void>((resolve) => log.end(resolve));
  if (result.failed && (result as { code?: string }).code === 'ENOENT') {
    throw new UserError(`cannot run python3 for MadGraph5 (${mg5.dir}): install python3`);
  }
  if (result.timedOut) throw new UserError(`MadGraph5 timed out while ${options.label}: see ${options.logPath}`);
  if (result.exitCode !== 0 || errors.length > 0) {
    const reason = errors.length ? errors.slice(-3).join(' | ') : tail.slice(-3).join(' | ');
    throw new UserError(`MadGraph5 failed while ${options.label}: ${reason} (full log: ${options.logPath})`);
  }
}
