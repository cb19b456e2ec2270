/** Parsers for numeric CLI options: each rejects bad input with a message naming the option. */
import { availableParallelism } from 'node:os';

import { InvalidArgumentError } from 'commander';

function integerIn(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got '${text}'`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got '${text}'`);
  }
  return value;
}

/** A positive count for the option `name` (--points, --events, …): accepts 1000000, 1e6 or 1_000_000. */
export function parseCount(name: string): (text: string) => number {
  return (text) => {
    const cleaned = text.replace(/_/g, '');
    const value = /^\d+(\.\d+)?e\d+$/i.test(cleaned) ? Number(cleaned) : NaN;
    if (Number.isSafeInteger(value) && value > 0) return value;
    return integerIn(name, cleaned, 1, Number.MAX_SAFE_INTEGER);
  };
}

export const parsePoints = parseCount('--points');

export function parseSeed(text: string): number {
  return integerIn('--seed', text, 0, Number.MAX_SAFE_INTEGER);
}

export function parseThreads(text: string): number {
  return integerIn('--threads', text, 1, 256);
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}
