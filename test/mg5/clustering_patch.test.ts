/**
 * The MG5 baseline's copy clusters as the libraries do (mg5/clustering.ts): its cuts.f calls
 * madnis_setclscales, defined by native/mg5glue/madnis_scale.f appended to it; matching
 * (ickkw > 0) is the one case launch still treats as channel-dependent. No MG5 needed.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { CLUSTERING_SOURCE, clusteringIsChannelIndependent, clusteringPatched, patchClusteringScale } from '../../src/mg5/clustering.js';

const passcuts = [
  '      logical cut_bw,setclscales,dummy_cuts',
  '      external R2,DOT,ET,RAP,DJ,SumDot,pt,ALPHAS,cut_bw,setclscales,PtDot',
  '        if(.not.setclscales(p,.false.))then',
  '           passcuts = .false.',
  '        endif',
  '',
].join('\n');

describe('the MG5 baseline gets the libraries\' scale definition', () => {
  it('renames the call in cuts.f (read-only, as MG5 copies it) and appends madnis_scale.f, once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'madnis-clustering-patch-'));
    try {
      mkdirSync(join(dir, 'SubProcesses'));
      const cuts = join(dir, 'SubProcesses', 'cuts.f');
      writeFileSync(cuts, passcuts);
      chmodSync(cuts, 0o444);
      expect(clusteringPatched(dir)).toBe(false);
      patchClusteringScale(dir);
      const patched = readFileSync(cuts, 'utf8');
      expect(patched.startsWith(passcuts.replace(/setclscales/g, 'madnis_setclscales'))).toBe(true);
      expect(patched.endsWith(readFileSync(CLUSTERING_SOURCE, 'utf8'))).toBe(true);
      // the appended wrapper still calls MadEvent's own setclscales
      expect(patched).toMatch(/madnis_setclscales = setclscales\(p, keepq2bck\)/);
      expect(clusteringPatched(dir)).toBe(true);
      patchClusteringScale(dir);
      expect(readFileSync(cuts, 'utf8')).toBe(patched);

      writeFileSync(cuts, 'c no clustering here\n');
      expect(() => patchClusteringScale(dir)).toThrow(/does not call setclscales/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is channel-independent unless the run card matches (ickkw > 0)', () => {
    expect(clusteringIsChannelIndependent(' 10000 = nevents\n')).toBe(true);
    expect(clusteringIsChannelIndependent(' 0 = ickkw ! 0 no matching\n')).toBe(true);
    expect(clusteringIsChannelIndependent(' 1 = ickkw ! MLM\n')).toBe(false);
  });
});
