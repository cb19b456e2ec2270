#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (`npm run build`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`madnis-ts: error: not built (${entry} is missing): run \`npm run build\` in ${root}\n`);
  process.exit(1);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv);
