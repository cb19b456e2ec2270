import { existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

import { UserError } from '../util/errors.js';

export interface Mg5Location {
  dir: string;
  /** how it was found: "--mg5", "MG5_HOME" or "PATH" */
  via: '--mg5' | 'MG5_HOME' | 'PATH';
}

const HOW_TO =
  'pass --mg5 DIR, set MG5_HOME to your MadGraph5_aMC@NLO folder, or put its bin/mg5_aMC on PATH';

function isMg5Dir(dir: string): boolean {
  return existsSync(join(dir, 'bin', 'mg5_aMC')) && existsSync(join(dir, 'madgraph'));
}

/**
 * Finds the user's MG5 installation: `--mg5 DIR`, then MG5_HOME, then mg5_aMC on PATH.
 * Returns undefined when none is configured; throws when one is named but is not MG5.
 */
export function findMg5(option?: string, env: NodeJS.ProcessEnv = process.env): Mg5Location | undefined {
  if (option) {
    const dir = resolve(option);
    if (!isMg5Dir(dir)) throw new UserError(`--mg5 ${option}: no MadGraph5 installation there (expected bin/mg5_aMC and madgraph/)`);
    return { dir, via: '--mg5' };
  }
  const home = env.MG5_HOME;
  if (home) {
    const dir = resolve(home);
    if (!isMg5Dir(dir)) throw new UserError(`MG5_HOME=${home}: no MadGraph5 installation there (expected bin/mg5_aMC and madgraph/)`);
    return { dir, via: 'MG5_HOME' };
  }
  for (const entry of (env.PATH ?? '').split(delimiter)) {
    if (!entry) continue;
    const candidate = join(entry, 'mg5_aMC');
    if (existsSync(candidate) && statSync(candidate).isFile()) {
      const dir = dirname(dirname(realpathSync(candidate)));
      if (isMg5Dir(dir)) return { dir, via: 'PATH' };
    }
  }
  return undefined;
}

/** Like findMg5, but a missing installation is an error that says how to point to one. */
export function requireMg5(option?: string, env: NodeJS.ProcessEnv = process.env): Mg5Location {
  const found = findMg5(option, env);
  if (!found) throw new UserError(`MadGraph5_aMC@NLO not found: ${HOW_TO}`);
  return found;
}

export const MG5_HOW_TO = HOW_TO;
