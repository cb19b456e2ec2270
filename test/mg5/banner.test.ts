/** MG5's banner blocks from a MadEvent folder's cards (no MG5 needed: a folder laid out as MG5 writes it). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { mg5BannerSections, setCardValue } from '../../src/mg5/banner.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-banner-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('MG5 banner sections', () => {
  it('carry the cards under MG5 tags, in MG5 order, with the run\'s nevents and iseed, and event_norm average', () => {
    mkdirSync(join(work, 'Cards'));
    mkdirSync(join(work, 'SubProcesses'));
    writeFileSync(join(work, 'MGMEVersion.txt'), '#3.1.1\n');
    writeFileSync(join(work, 'Cards', 'proc_card_mg5.dat'), 'import model sm\ngenerate p p > t t~\n');
    writeFileSync(join(work, 'SubProcesses', 'procdef_mg5.dat'), '# Begin PROCESS\np p > t t~\n');
    writeFileSync(join(work, 'Cards', 'run_card.dat'), '  100 = nevents ! Number of unweighted events requested\n  0   = iseed   ! rnd seed (0=assigned automatically=default))\n  6500.0 = ebeam1 ! beam 1 total energy in GeV\n  sum = event_norm ! average/sum. Normalization of the weight in the LHEF\n');
    writeFileSync(join(work, 'Cards', 'param_card.dat'), 'BLOCK MASS #\n      6 1.730000e+02 # mt\n');
    const sections = mg5BannerSections(work, { events: 10_000, seed: 7 });
    expect(sections.map((s) => s.name)).toEqual(['MGVersion', 'MG5ProcCard', 'MGProcCard', 'MGRunCard', 'slha']);
    expect(sections[0]!.text).toBe('3.1.1');
    const run = sections[3]!.text;
    expect(run).toContain('  10000 = nevents ! Number of unweighted events requested\n');
    expect(run).toContain('  7   = iseed   ! rnd seed');
    expect(run).toContain('  6500.0 = ebeam1');
    // the weights written are averages, whatever the card said
    expect(run).toContain('  average = event_norm ! average/sum.');
  });

  it('setCardValue changes only the named key', () => {
    const card = ' 1 = nevents_x ! other\n 2 = nevents ! this\n';
    expect(setCardValue(card, 'nevents', '5')).toBe(' 1 = nevents_x ! other\n 5 = nevents ! this\n');
  });
});
