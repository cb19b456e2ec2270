/**
 * Use cases of `madnis-ts mg5-plugin`: install the MG5 plugin into the user's MG5, remove it,
 * and (called by the plugin) add madnis.yaml to the folder `output madnis` wrote.
 */
import { join, resolve } from 'node:path';

import { requireMg5 } from '../mg5/locate.js';
import { installPlugin, uninstallPlugin, writeOutputSettings, type PluginInstall } from '../mg5/plugin.js';
import { packageRoot } from '../native/paths.js';
import { VERSION } from '../version.js';

export function installMg5Plugin(mg5Option?: string): PluginInstall & { mg5: string } {
  const mg5 = requireMg5(mg5Option);
  // the plugin runs this madnis-ts with this node, whatever PATH MG5 is started with
  const installed = installPlugin(mg5, { node: process.execPath, cli: join(packageRoot, 'bin', 'madnis-ts.js'), version: VERSION });
  return { ...installed, mg5: mg5.dir };
}

export function uninstallMg5Plugin(mg5Option?: string): { pluginDir: string; removed: boolean; mg5: string } {
  const mg5 = requireMg5(mg5Option);
  return { ...uninstallPlugin(mg5), mg5: mg5.dir };
}

export function prepareMadnisOutput(processDir: string): { file: string; written: boolean } {
  return writeOutputSettings(resolve(processDir));
}
