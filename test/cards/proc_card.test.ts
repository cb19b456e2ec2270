import { describe, expect, it } from 'vitest';

import { parseProcCard } from '../../src/cards/proc_card.js';

describe('process cards', () => {
  it('keeps the MG5 commands, drops output, finds the model and processes', () => {
    const card = parseProcCard(
      ['# W+ j j', 'import model sm-no_b_mass', 'define p = g u c d s u~ c~ d~ s~', 'define j = p', '', 'generate p p > w+ j j', 'add process p p > w+ j', 'set group_subprocesses Auto', 'output madevent wjj'].join('\n'),
      'card.dat',
    );
    expect(card.model).toBe('sm-no_b_mass');
    expect(card.processes).toEqual(['p p > w+ j j', 'p p > w+ j']);
    expect(card.commands).toHaveLength(6);
    expect(card.commands.some((c) => c.startsWith('output'))).toBe(false);
  });

  const errors: Array<[string, RegExp]> = [
    ['import model sm\nlaunch\n', /card.dat line 2: 'launch': madnis-ts launches the process itself/],
    ['import model sm\ngenerat p p > e+ e-\n', /card.dat line 2: unknown or unsupported command 'generat' \(supported: import model, define, generate, add process, set, output\)/],
    ['import model sm\n', /card.dat: no 'generate' line/],
    ['add process p p > e+ e-\n', /card.dat line 1: 'add process' before any 'generate'/],
    ['generate p p e+ e-\n', /card.dat line 1: 'generate p p e\+ e-' has no '>'/],
    ['generate p p > e+ e-\ngenerate p p > mu+ mu-\n', /line 2: a second 'generate' would discard the first process/],
    ['import sm\ngenerate e+ e- > mu+ mu-\n', /line 1: expected 'import model NAME'/],
    ['generate e+ e- > mu+ mu-\noutput standalone\n', /line 2: 'output standalone': madnis-ts needs MG5's madevent output/],
  ];
  for (const [text, message] of errors) {
    it(`rejects ${JSON.stringify(text.split('\n').find((l) => l && !l.startsWith('import model sm'))?.slice(0, 30))}`, () => {
      expect(() => parseProcCard(text, 'card.dat')).toThrow(message);
    });
  }
});
