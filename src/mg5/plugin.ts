/**
 * madnis-ts's MG5 plugin (mg5-plugin/madnis, a thin Python layer over this command line):
 * installed into MG5's PLUGIN/ folder, removed again leaving MG5 as it was, and the
 * madnis.yaml that `output madnis` adds to the MadEvent folder it writes.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../native/paths.js';
import { writeFileAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import type { Mg5Location } from './locate.js';

/** The MG5 versions the plugin and the MG5 bridge support (MG5's PLUGIN interface and MadEvent's Fortran, as of 3.1). */
export const SUPPORTED_MG5 = { major: 3, minor: 1, tested: '3.1.1' };
export const PLUGIN_NAME = 'madnis';
const PLUGIN_SOURCE = join(packageRoot, 'mg5-plugin', PLUGIN_NAME);
/** Beside the plugin's code: the command line it calls, and what the install added to MG5 besides the plugin's folder. */
const INSTALLED_FILE = 'madnis_ts.json';

interface InstalledPlugin {
  node: string;
  cli: string;
  version: string;
  /** PLUGIN/__pycache__ did not exist before: Python writes it when MG5 imports a plugin, and uninstall removes it */
  removePluginCache: boolean;
}

export function mg5Version(mg5: Mg5Location): string {
  const file = join(mg5.dir, 'VERSION');
  const version = existsSync(file) ? /^\s*version\s*=\s*(\S+)/m.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
  if (!version) throw new UserError(`${mg5.dir} has no readable VERSION file: is it a MadGraph5_aMC@NLO installation?`);
  return version;
}

function requireSupported(mg5: Mg5Location): string {
  const version = mg5Version(mg5);
  const [major, minor] = version.split('.').map(Number);
  if (major !== SUPPORTED_MG5.major || minor !== SUPPORTED_MG5.minor) {
    throw new UserError(`MG5 ${version} at ${mg5.dir} is not supported: the madnis plugin needs MG5 ${SUPPORTED_MG5.major}.${SUPPORTED_MG5.minor}.x (tested with ${SUPPORTED_MG5.tested})`);
  }
  return version;
}

export interface PluginPaths {
  pluginDir: string;
  installedFile: string;
}

export function pluginPaths(mg5: Mg5Location): PluginPaths {
  const pluginDir = join(mg5.dir, 'PLUGIN', PLUGIN_NAME);
  return { pluginDir, installedFile: join(pluginDir, INSTALLED_FILE) };
}

function readInstalled(paths: PluginPaths): InstalledPlugin | undefined {
  if (!existsSync(paths.installedFile)) return undefined;
  return JSON.parse(readFileSync(paths.installedFile, 'utf8')) as InstalledPlugin;
}

export interface PluginInstall {
  pluginDir: string;
  mg5Version: string;
  /** an earlier install (of this or another madnis-ts) was replaced */
  replaced: boolean;
}

/**
 * Copies the plugin into MG5's PLUGIN/ folder, pointing it at this madnis-ts (`cli`, run
 * by `node`). Idempotent; refuses an unsupported MG5 and a PLUGIN/madnis that is not ours.
 */
export function installPlugin(mg5: Mg5Location, cli: { node: string; cli: string; version: string }): PluginInstall {
  const version = requireSupported(mg5);
  const paths = pluginPaths(mg5);
  const pluginRoot = join(mg5.dir, 'PLUGIN');
  if (!existsSync(join(pluginRoot, '__init__.py'))) throw new UserError(`${pluginRoot}/__init__.py is missing: this MG5 installation has no plugin folder`);
  const earlier = readInstalled(paths);
  if (existsSync(paths.pluginDir) && !earlier) {
    throw new UserError(`${paths.pluginDir} exists and is not madnis-ts's plugin: move it away, then install again`);
  }
  const removePluginCache = earlier ? earlier.removePluginCache : !existsSync(join(pluginRoot, '__pycache__'));
  rmSync(paths.pluginDir, { recursive: true, force: true });
  try {
    cpSync(PLUGIN_SOURCE, paths.pluginDir, { recursive: true, filter: (source) => !source.includes('__pycache__') });
    writeFileAtomic(paths.installedFile, `${JSON.stringify({ ...cli, removePluginCache } satisfies InstalledPlugin, null, 2)}\n`);
  } catch (error) {
    rmSync(paths.pluginDir, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new UserError(`cannot write ${paths.pluginDir} (${code}): install the plugin as the owner of MG5's folder`);
    throw error;
  }
  return { pluginDir: paths.pluginDir, mg5Version: version, replaced: earlier !== undefined };
}

/** Removes the plugin and what its use added to MG5's PLUGIN folder; false when it was not installed. */
export function uninstallPlugin(mg5: Mg5Location): { pluginDir: string; removed: boolean } {
  const paths = pluginPaths(mg5);
  const installed = readInstalled(paths);
  if (!installed) {
    if (existsSync(paths.pluginDir)) throw new UserError(`${paths.pluginDir} is not madnis-ts's plugin: it is left as it is`);
    return { pluginDir: paths.pluginDir, removed: false };
  }
  rmSync(paths.pluginDir, { recursive: true, force: true });
  if (installed.removePluginCache) rmSync(join(mg5.dir, 'PLUGIN', '__pycache__'), { recursive: true, force: true });
  return { pluginDir: paths.pluginDir, removed: true };
}

/** The madnis.yaml of an `output madnis` folder: every key of templates/madnis.yaml with its default, commented out. */
export function outputSettingsText(template: string): string {
  const body = template.split('\n');
  const first = body.findIndex((line) => line.trim() !== '' && !line.startsWith('#'));
  const header = [
    "# madnis.yaml — madnis-ts's training settings for `launch` of this MadEvent folder",
    '# (written by `output madnis`; madnis-ts reads it on every launch). Every key is listed',
    '# with its default, commented out: uncomment a key and change its value to use it. Keys left',
    "# commented keep launch's defaults for MG5 processes (e.g. learned channel weights, from the AMP2 prior also with sde_strategy 2).",
    '# The cards are MG5\'s: Cards/*.dat, edited through the questions of `launch` (set ptj 30).',
    '',
  ];
  return [...header, ...body.slice(first).map((line) => (line.trim() === '' || line.trimStart().startsWith('#') ? line : `# ${line}`))].join('\n');
}

/** Adds madnis.yaml to a MadEvent folder that MG5's `output madnis` wrote (kept when present: the user's edits). */
export function writeOutputSettings(processDir: string): { file: string; written: boolean } {
  if (!existsSync(join(processDir, 'SubProcesses')) || !existsSync(join(processDir, 'Cards', 'proc_card_mg5.dat'))) {
    throw new UserError(`${processDir} is not a MadEvent folder written by MG5 (no SubProcesses/ or Cards/proc_card_mg5.dat)`);
  }
  const file = join(processDir, 'madnis.yaml');
  if (existsSync(file)) return { file, written: false };
  writeFileSync(file, outputSettingsText(readFileSync(join(packageRoot, 'templates', 'madnis.yaml'), 'utf8')));
  return { file, written: true };
}
