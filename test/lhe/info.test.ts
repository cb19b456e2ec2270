/** lheInfo and `lhe-info` on a small file with known weights, processes and final states. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { lheInfoCommand } from '../../src/cli/lhe_info_command.js';
import { lheInfo } from '../../src/lhe/info.js';
import type { LheEvent, LheInit } from '../../src/lhe/types.js';
import { LheWriter } from '../../src/lhe/writer.js';
import { UserError } from '../../src/util/errors.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-lhe-info-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const path = join(work, 'small.lhe.gz');

const init: LheInit = {
  beams: [
    { pdg: 11, energy: 100, pdfGroup: 0, pdfSet: 0 },
    { pdg: -11, energy: 100, pdfGroup: 0, pdfSet: 0 },
  ],
  weighting: 3,
  processes: [
    { xsec: 2.0, xerr: 0.03, xmax: 2.0, id: 1 },
    { xsec: 0.5, xerr: 0.04, xmax: 0.5, id: 3 },
  ],
  generator: { name: 'madnis-ts', version: '0.1.0' },
};

function event(processId: number, weight: number, pdgs: [number, number]): LheEvent {
  const p = (pdg: number, status: number, pz: number) => ({
    pdg, status, mothers: [status < 0 ? 0 : 1, status < 0 ? 0 : 2] as [number, number], colour: [0, 0] as [number, number],
    px: 0, py: 0, pz, e: 100, m: 0, lifetime: 0, spin: 9,
  });
  return {
    processId, weight, scale: 200, alphaQED: 1 / 132.507, alphaS: 0.118,
    particles: [p(11, -1, 100), p(-11, -1, -100), p(pdgs[0], 1, 100), p(pdgs[1], 1, -100)],
  };
}

beforeAll(async () => {
  const writer = await LheWriter.open(path, [{ name: 'MGVersion', text: '3.5.0' }], init);
  await writer.write(event(1, 2.5, [13, -13]));
  await writer.write(event(1, 2.5, [-13, 13]));
  await writer.write(event(1, 3.0, [13, -13])); // an overweight event
  await writer.write(event(2, -2.5, [11, -11])); // negative, but |w| = σ
  await writer.write(event(2, 2.5000001, [-11, 11])); // within 1e-6 of σ
  await writer.close();
});

describe('lheInfo', () => {
  it('counts events per process, weight statistics and final states', async () => {
    const info = await lheInfo(path);
    expect(info.path).toBe(path);
    expect(info.events).toBe(5);
    expect(info.version).toBe('3.0');
    expect(info.init).toEqual(init);
    // <init> order first (id 3 has no events), then ids only the events use
    expect(info.processes).toEqual([
      { id: 1, events: 3 },
      { id: 3, events: 0 },
      { id: 2, events: 2 },
    ]);
    expect(info.weights.sum).toBeCloseTo(8.0000001, 12);
    expect(info.weights.mean).toBeCloseTo(8.0000001 / 5, 12);
    expect(info.weights.min).toBe(-2.5);
    expect(info.weights.max).toBe(3);
    expect(info.weights.negative).toBe(1);
    // the unit weight is the smallest |weight|; 2.5000001 is within 1e-6 of it, 3.0 is above
    expect(info.weights.unit_weight).toBe(2.5);
    expect(info.weights.above_unit_weight).toBe(1);
    expect(info.final_state).toEqual([
      { pdgs: '-13 13', events: 3 },
      { pdgs: '-11 11', events: 2 },
    ]);
  });
});

describe('lhe-info command', () => {
  async function run(args: string[]): Promise<string> {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await lheInfoCommand().exitOverride().parseAsync(args, { from: 'user' });
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  it('prints the same numbers as JSON', async () => {
    expect(JSON.parse(await run([path, '--json']))).toEqual(JSON.parse(JSON.stringify(await lheInfo(path))));
  });

  it('prints a readable summary', async () => {
    const text = await run([path]);
    expect(text).toContain('LHE version 3.0, 5 events, written by madnis-ts 0.1.0');
    expect(text).toContain('beams: 11 at 100 GeV + -11 at 100 GeV');
    expect(text).toContain('σ = 2.500 ± 0.050 pb');
    expect(text).toMatch(/not in <init>/);
    expect(text).toContain('negative weights: 1; unit weight 2.5; |weight| above it (overweights, > 1e-6 relative): 1 (20.00 %)');
    expect(text).toMatch(/-13 13\s*│\s*3\s*│\s*60.00 %/);
  });

  it('reports a missing or malformed file as a one-line user error', async () => {
    const missing = join(work, 'nope.lhe');
    await expect(run([missing])).rejects.toThrow(UserError);
    await expect(run([missing])).rejects.toThrow(/^cannot read LHE file .*nope\.lhe: no such file$/);
  });
});
