/** MG5 command scripts from templates/: `{{key}}` replaced by its value, every key required. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../native/paths.js';

export function fillTemplate(template: string, values: Record<string, string>): string {
  const text = readFileSync(join(packageRoot, 'templates', template), 'utf8');
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in values)) throw new Error(`template ${template}: no value for ${key}`);
    return values[key]!;
  });
}
