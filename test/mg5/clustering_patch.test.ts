/**
 * The MG5 baseline's copy clusters as the libraries do (mg5/clustering.ts): its cuts.f calls
 * madnis_setclscales, defined by native/mg5glue/madnis_scale.f appended to it, and each
 * DSIGPROC evaluates the matrix element alone first, for AMP2, and DSIG<n> reuses it where
 * the second evaluation's scale is the first's; matching
 * (ickkw > 0) is the one case launch still treats as channel-dependent. No MG5 needed.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { launchTrainingPolicy, libraryParams } from '../../src/app/launch.js';
import { CLUSTERING_SOURCE, clusteringIsChannelIndependent, clusteringPatched, patchClusteringScale, sdeStrategy } from '../../src/mg5/clustering.js';
import { validateTrainConfig } from '../../src/train/config.js';

const passcuts = [
  '      logical cut_bw,setclscales,dummy_cuts',
  '      external R2,DOT,ET,RAP,DJ,SumDot,pt,ALPHAS,cut_bw,setclscales,PtDot',
  '        if(.not.setclscales(p,.false.))then',
  '           passcuts = .false.',
  '        endif',
  '',
].join('\n');

// the shape of DSIGPROC's last lines in a grouped P folder's auto_dsig.f (two subprocesses)
const dispatch = [
  '      DSIGPROC=0D0',
  '      IF (PASSCUTS(P1)) THEN',
  '        IF(IPROC.EQ.1) DSIGPROC=DSIG1(P1,WGT,IMODE)  ! first',
  '        IF(IPROC.EQ.2) DSIGPROC=DSIG2(P1,WGT,IMODE)  ! second',
  '      ENDIF',
  '      RETURN',
  '',
].join('\n');

// DSIG1's call of the matrix element (auto_dsig1.f)
const smatrix = ['      P1 = PP', '      CALL SMATRIX1(P1,DSIGUU)', '      IF (IMODE.EQ.5) THEN', ''].join('\n');

describe('the MG5 baseline gets the libraries\' scale definition', () => {
  it('renames the call in cuts.f (read-only, as MG5 copies it) and appends madnis_scale.f, once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'madnis-clustering-patch-'));
    try {
      mkdirSync(join(dir, 'SubProcesses', 'P1_ab'), { recursive: true });
      const dsig = join(dir, 'SubProcesses', 'P1_ab', 'auto_dsig.f');
      writeFileSync(dsig, dispatch);
      chmodSync(dsig, 0o444);
      const dsig1 = join(dir, 'SubProcesses', 'P1_ab', 'auto_dsig1.f');
      writeFileSync(dsig1, smatrix);
      chmodSync(dsig1, 0o444);
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
      // DSIGPROC evaluates the matrix element alone first (IMODE 5), for AMP2, then as before
      const first = readFileSync(dsig, 'utf8');
      expect(first).toBe(dispatch.replace('      IF (PASSCUTS(P1)) THEN\n', [
        '      CALL MADNIS_FORCE_CONFIG(0)',
        '      CALL MADNIS_REUSE_ME(0)',
        '      CALL MADNIS_PASS1_NEEDED(J)',
        '      IF (J.EQ.1.AND.IMODE.EQ.0) THEN',
        '        IF (PASSCUTS(P1)) THEN',
        '          XDUM=0D0',
        '          IF(IPROC.EQ.1) XDUM=DSIG1(P1,WGT,5)',
        '          IF(IPROC.EQ.2) XDUM=DSIG2(P1,WGT,5)',
        '          IF (XDUM.NE.0D0) CALL MADNIS_PICK_CONFIG(IPROC,P1)',
        '          CALL MADNIS_PASS2_NEEDED(J)',
        '          IF (J.EQ.0) CALL MADNIS_REUSE_ME(1)',
        '        ENDIF',
        '      ENDIF',
        '      IF (PASSCUTS(P1)) THEN',
        '',
      ].join('\n')).replace('      ENDIF\n      RETURN', '      ENDIF\n      CALL MADNIS_FORCE_CONFIG(0)\n      RETURN'));
      // DSIG1 takes the kept matrix element when asked to, else calls SMATRIX1 and keeps it
      const kept = readFileSync(dsig1, 'utf8');
      expect(kept).toBe(smatrix.replace('      CALL SMATRIX1(P1,DSIGUU)\n', [
        '      DSIGUU=-1D0',
        '      CALL MADNIS_REUSED_ME(DSIGUU)',
        '      IF (DSIGUU.LT.0D0) THEN',
        '        CALL SMATRIX1(P1,DSIGUU)',
        '        CALL MADNIS_KEEP_ME(DSIGUU)',
        '      ENDIF',
        '',
      ].join('\n')));
      patchClusteringScale(dir);
      expect(readFileSync(cuts, 'utf8')).toBe(patched);
      expect(readFileSync(dsig, 'utf8')).toBe(first);
      expect(readFileSync(dsig1, 'utf8')).toBe(kept);

      writeFileSync(cuts, 'c no clustering here\n');
      expect(() => patchClusteringScale(dir)).toThrow(/does not call setclscales/);
      writeFileSync(dsig1, '      RETURN\n');
      expect(() => patchClusteringScale(dir)).toThrow(/auto_dsig1\.f: no CALL SMATRIX<n>/);
      writeFileSync(dsig, '      RETURN\n');
      expect(() => patchClusteringScale(dir)).toThrow(/auto_dsig\.f: no DSIGPROC dispatch/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is channel-independent unless the run card matches (ickkw > 0)', () => {
    expect(clusteringIsChannelIndependent(' 10000 = nevents\n')).toBe(true);
    expect(clusteringIsChannelIndependent(' 0 = ickkw ! 0 no matching\n')).toBe(true);
    expect(clusteringIsChannelIndependent(' 1 = ickkw ! MLM\n')).toBe(false);
  });

  it("launch learns channel weights (from the AMP2 prior with sde_strategy 2) and refuses them with matching", () => {
    const policy = (yaml: Record<string, unknown>, runCard: string) => {
      const config = validateTrainConfig(yaml, 'test');
      const explicit = new Set(Object.entries(yaml).flatMap(([k, v]) => Object.keys(v as object).map((key) => `${k}.${key}`)));
      return { notes: launchTrainingPolicy(config, explicit, runCard), config };
    };
    expect(sdeStrategy(' 2 = sde_strategy ! default integration strategy\n')).toBe(2);
    expect(sdeStrategy(' 0 = ickkw\n')).toBe(1);
    const sde1 = policy({}, ' 0 = ickkw\n 1 = sde_strategy\n');
    expect(sde1.config.channel_weights.enabled).toBe(true);
    expect(sde1.config.training.drop_threshold).toBe(1e-4);
    expect(sde1.notes.join('\n')).toMatch(/one integrand for all channels; the channel weights are learned from MadEvent's prior \(sde_strategy 1\), within a factor e\^±2 of it, and channels below 0.0001 of σ are dropped/);
    // sde_strategy 2: learned as well, from the AMP2 prior, which the libraries build (prior=amp2)
    const sde2 = policy({}, ' 0 = ickkw\n 2 = sde_strategy\n');
    expect(sde2.config.channel_weights.enabled).toBe(true);
    expect(sde2.config.training.drop_threshold).toBe(1e-4);
    expect(sde2.notes.join('\n')).toMatch(/learned from the AMP2 prior of sde_strategy 1 \(the card's sde_strategy 2 prior, propagator denominators alone, left p p > e\+ e- j heavy-tailed .*\), within a factor e\^±2 of it, and channels below 0.0001 of σ are dropped/);
    expect(libraryParams(sde2.config, ' 0 = ickkw\n 2 = sde_strategy\n')).toBe('&prior=amp2&subprocess=sum');
    const prior = policy({ channel_weights: { enabled: false } }, ' 2 = sde_strategy\n');
    expect(prior.notes.join('\n')).toMatch(/the channel weights are the AMP2 prior of sde_strategy 1 .*, as madnis.yaml asks$/);
    expect(libraryParams(prior.config, ' 2 = sde_strategy\n')).toBe('&prior=amp2&subprocess=sum');
    // sde_strategy 1 and matching keep the card's prior; every subprocess per point unless madnis.yaml asks to draw one
    expect(libraryParams(sde1.config, ' 0 = ickkw\n 1 = sde_strategy\n')).toBe('&subprocess=sum');
    expect(libraryParams(sde2.config, ' 1 = ickkw\n 2 = sde_strategy\n')).toBe('&subprocess=sum');
    expect(libraryParams(policy({ cards: { subprocesses: 'sample' } }, ' 1 = sde_strategy\n').config, ' 1 = sde_strategy\n')).toBe('&subprocess=sample');
    const noDrop = policy({ training: { drop_threshold: 0 } }, ' 1 = sde_strategy\n').notes.join('\n');
    expect(noDrop).toMatch(/within a factor e\^±2 of it; channels are not dropped \(channel_weights.enabled: false in madnis.yaml keeps the prior\)$/);
    // the baseline is named only where one runs (launch --no-baseline)
    expect(sde1.notes.join('\n')).toMatch(/diagram \(in the MG5 baseline too\): one integrand/);
    const alone = launchTrainingPolicy(validateTrainConfig({}, 'test'), new Set(), ' 1 = sde_strategy\n', false).join('\n');
    expect(alone).toMatch(/not along the channel's diagram: one integrand for all channels/);
    const off = policy({ channel_weights: { enabled: false } }, ' 1 = sde_strategy\n');
    expect(off.config.channel_weights.enabled).toBe(false);
    expect(off.notes.join('\n')).toMatch(/the channel weights are MadEvent's prior \(sde_strategy 1\), as madnis.yaml asks$/);
    expect(policy({}, ' 1 = ickkw\n').config.channel_weights.enabled).toBe(false);
    expect(() => policy({ channel_weights: { enabled: true } }, ' 1 = ickkw\n')).toThrow(/with matching \(ickkw > 0\) MadEvent's weight depends on the channel's diagram/);
  });
});
