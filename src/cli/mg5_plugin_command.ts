/**
 * `madnis-ts mg5-plugin install|uninstall [--mg5 DIR]`: the MG5 plugin (`output madnis`,
 * `launch` of such a folder) in the user's MG5; `mg5-plugin output DIR` is what the plugin
 * calls after MG5 wrote the folder.
 */
import { Command } from 'commander';

import { installMg5Plugin, prepareMadnisOutput, uninstallMg5Plugin } from '../app/mg5_plugin.js';
import { sharedOptions, withOptions } from './options.js';

export function mg5PluginCommand(): Command {
  const command = new Command('mg5-plugin').description('install or remove the MG5 plugin: `output madnis DIR` and `launch DIR` inside MG5 (MG5 3.1)');
  command.addCommand(withOptions(new Command('install').description('install the plugin into MG5\'s PLUGIN folder (again: replaces it)'), sharedOptions.mg5())
    .action((options: { mg5?: string }) => {
      const r = installMg5Plugin(options.mg5);
      process.stdout.write(`madnis-ts MG5 plugin ${r.replaced ? 'reinstalled' : 'installed'}: ${r.pluginDir} (MG5 ${r.mg5Version})\n`
        + '  inside MG5: output madnis DIR, then launch DIR (in a new MG5 session: mg5_aMC --mode=madnis)\n');
    }).exitOverride());
  command.addCommand(withOptions(new Command('uninstall').description('remove the plugin from MG5, leaving MG5 as it was'), sharedOptions.mg5())
    .action((options: { mg5?: string }) => {
      const r = uninstallMg5Plugin(options.mg5);
      process.stdout.write(r.removed ? `madnis-ts MG5 plugin removed from ${r.mg5}\n` : `madnis-ts MG5 plugin is not installed in ${r.mg5}: nothing to remove\n`);
    }).exitOverride());
  command.addCommand(new Command('output').description('(called by the plugin) add madnis.yaml to the MadEvent folder `output madnis DIR` wrote')
    .argument('<DIR>', 'the MadEvent folder')
    .action((dir: string) => {
      const r = prepareMadnisOutput(dir);
      process.stdout.write(r.written ? `madnis-ts: training settings: ${r.file} (every key commented out, with its default)\n` : `madnis-ts: training settings kept: ${r.file}\n`);
    }).exitOverride());
  return command;
}
