/** `madnis-ts gridpack OUT`: a trained sampler as one relocatable .tar.gz (app/gridpack.ts). */
import { Command, Option } from 'commander';

import { gridpack } from '../app/gridpack.js';
import { withError } from '../util/format.js';
import { sharedOptions } from './options.js';

export function gridpackCommand(): Command {
  return new Command('gridpack')
    .description('pack a trained sampler, its process libraries and their run-time files into one .tar.gz that `generate` runs on a node without MG5 or a compiler')
    .argument('<from>', 'a folder written by `madnis-ts train` or `launch` (its sampler.madnis), or a sampler file')
    .addOption(new Option('-o, --output <FILE>', 'the gridpack to write (default: gridpack.tar.gz in that folder)'))
    .addOption(sharedOptions.pdf())
    .addOption(sharedOptions.mg5())
    .action(async (from: string, options: { output?: string; pdf?: string; mg5?: string }) => {
      const result = await gridpack({ from, ...options });
      const m = result.manifest;
      process.stdout.write(
        `gridpack: ${result.path} (${(result.bytes / 1e6).toFixed(1)} MB, ${m.files.length} files, id ${m.id.slice(0, 12)})\n` +
          `  ${m.process.description}\n  σ = ${withError(m.sigma_pb, m.sigma_error_pb)} pb, w_max = ${m.w_max.toPrecision(6)} (the sampler's final integration; every shard uses them)\n` +
          `  generate: madnis-ts generate ${result.path} --events N --seed S [--shard i/N]\n`,
      );
    });
}
