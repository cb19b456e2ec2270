/**
 * Progress when stderr is not a terminal (a batch job's log, nohup, a pipe: as here): sparse
 * plain lines, with done/total, the time and the live status, told apart by their prefix.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers.js';
import { SMALL_CONFIG_YAML } from '../train/small_config.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-progress-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The percentages of a counted loop's lines, which must rise to a last line that says done. */
function checkLines(lines: string[], label: string, unit: string, total: number): number[] {
  const pattern = new RegExp(`^madnis-ts: progress: ${label} (\\d+) % \\(([\\d,]+)/${total.toLocaleString('en-US')} ${unit}\\), (.*)$`);
  const parsed = lines.map((line) => {
    const m = pattern.exec(line);
    expect(m, line).not.toBeNull();
    return { percent: Number(m![1]), done: Number(m![2]!.replace(/,/g, '')), rest: m![3]! };
  });
  // one line per tenth at most (and per 30 s): sparse, however many updates there are
  expect(parsed.length).toBeGreaterThanOrEqual(2);
  expect(parsed.length).toBeLessThanOrEqual(11);
  for (let i = 1; i < parsed.length; ++i) expect(parsed[i]!.done).toBeGreaterThan(parsed[i - 1]!.done);
  for (const p of parsed.slice(0, -1)) expect(p.rest).toMatch(/^\d+ s elapsed, ETA \d+ s/);
  const last = parsed.at(-1)!;
  expect(last.done).toBe(total);
  expect(last.rest).toMatch(/^done in \d+ s/);
  return parsed.map((p) => p.percent);
}

describe('plain progress lines on a stderr that is not a terminal', () => {
  const config = join(work, 'small.yaml');
  writeFileSync(config, SMALL_CONFIG_YAML);
  const out = join(work, 'ee');

  it('train: a line per tenth of the training units with the phase, σ, ε and loss', () => {
    const run = runCli(['train', 'builtin:ee_mumu?sqrts=200', '--config', config, '--out', out, '--threads', '2']);
    expect(run.status, run.stderr).toBe(0);
    // 4 VEGAS iterations + 30 flow steps
    checkLines(run.progress, 'train', 'units', 34);
    expect(run.progress[0]).toMatch(/\| VEGAS σ [\d.]+ ± [\d.]+ ε [\d.]+ %$/);
    expect(run.progress.at(-1)).toMatch(/\| flow σ [\d.]+ ± [\d.]+ ε [\d.]+ % loss [\d.e+-]+$/);
    // nothing else on stderr
    expect(run.stderr).toBe('');
  });

  it('generate: events done of the total, with the acceptance', () => {
    const run = runCli(['generate', join(out, 'sampler.madnis'), '--events', '20000', '--batch', '4096', '--presample', '20000', '--threads', '2']);
    expect(run.status, run.stderr).toBe(0);
    checkLines(run.progress, 'generate', 'events', 20000);
    for (const line of run.progress) expect(line).toMatch(/\| unweighting ε [\d.]+ %$/);
  });
});
