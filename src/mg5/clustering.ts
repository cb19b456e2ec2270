/**
 * The scale definition of launched MG5 processes. MadEvent's dynamical scale (and its xqcut
 * check) clusters each event along the diagram of the channel being integrated, so its
 * integrand depends on the channel. madnis-ts's process libraries cluster along a config
 * chosen from the momenta instead (native/mg5glue/madnis_scale.f), which makes f one function
 * for every channel; the MG5 baseline's copy of the process folder gets the same Fortran, so
 * that both integrate the same function.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../native/paths.js';
import { UserError } from '../util/errors.js';

export const CLUSTERING_SOURCE = join(packageRoot, 'native', 'mg5glue', 'madnis_scale.f');

/** What summaries and reports say about the scale both sides used. */
export const SCALE_DEFINITION =
  "run card's scale choice; where MadEvent clusters (dynamical_scale_choice -1, xqcut), along the config with the largest MadEvent prior at the event among those with a diagram in the subprocess (sde_strategy 1: AMP2·GET_CHANNEL_CUT from a first matrix-element evaluation; 2: GET_CHANNEL_CUT), not along the integrated channel's";

/** The run card's ickkw: with matching (> 0) MadEvent's Sudakov weight clusters along the channel again. */
export function clusteringIsChannelIndependent(runCard: string): boolean {
  const match = /^\s*(-?\d+)\s*=\s*ickkw\b/m.exec(runCard);
  return !match || Number(match[1]) <= 0;
}

/** The run card's sde_strategy (MadEvent's prior: 1 AMP2-based, 2 propagators alone); 1 where the card predates it. */
export function sdeStrategy(runCard: string): number {
  const match = /^\s*(\d+)\s*=\s*sde_strategy\b/m.exec(runCard);
  return match ? Number(match[1]) : 1;
}

/** Whether MadEvent's run in `processDir` clusters as the libraries do (patchClusteringScale). */
export function clusteringPatched(processDir: string): boolean {
  const cuts = join(processDir, 'SubProcesses', 'cuts.f');
  return existsSync(cuts) && readFileSync(cuts, 'utf8').includes('madnis_setclscales');
}

/**
 * Makes MadEvent's own run in `processDir` (a copy: never the launched folder) cluster as the
 * libraries do: passcuts (SubProcesses/cuts.f, shared by every P folder) calls
 * madnis_setclscales, appended to the same file; each P folder's DSIGPROC (auto_dsig.f) first
 * evaluates the matrix element alone, for AMP2, when the scale follows MadEvent's AMP2 prior.
 * MadEvent's make recompiles both.
 */
export function patchClusteringScale(processDir: string): void {
  const cuts = join(processDir, 'SubProcesses', 'cuts.f');
  if (!existsSync(cuts)) throw new UserError(`${cuts} is missing: not a MadEvent folder`);
  const folders = readdirSync(join(processDir, 'SubProcesses')).filter((d) => /^P\d+_/.test(d)).map((d) => join(processDir, 'SubProcesses', d));
  for (const folder of folders) {
    const file = join(folder, 'auto_dsig.f');
    patchFile(file, (text) => (text.includes('MADNIS_PASS1_NEEDED') ? null : withFirstPass(text, file)));
    for (const dsig of readdirSync(folder).filter((f) => /^auto_dsig\d+\.f$/.test(f))) {
      patchFile(join(folder, dsig), (text) => (text.includes('MADNIS_KEEP_ME') ? null : withKeptMatrixElement(text, join(folder, dsig))));
    }
  }
  patchFile(cuts, (text) => {
    if (text.includes('madnis_setclscales')) return null;
    if (!/\bsetclscales\s*\(/i.test(text)) {
      throw new UserError(`${cuts} does not call setclscales: cannot give MG5's run the scale definition of madnis-ts (${SCALE_DEFINITION})`);
    }
    return `${text.replace(/\bsetclscales\b/gi, 'madnis_setclscales')}\n${readFileSync(CLUSTERING_SOURCE, 'utf8')}`;
  });
}

/**
 * DSIG<n> (auto_dsig<n>.f) keeps the matrix element SMATRIX<n> returns and, when DSIGPROC's
 * first pass asked for it (madnis_reuse_me), takes the kept one instead of calling SMATRIX<n>.
 */
function withKeptMatrixElement(text: string, file: string): string {
  const call = /^      CALL SMATRIX(\d+)\(P1,DSIGUU\)\n/m.exec(text);
  if (!call) throw new UserError(`${file}: no CALL SMATRIX<n>(P1,DSIGUU) found: cannot give MG5's run the scale definition of madnis-ts (${SCALE_DEFINITION})`);
  const kept = [
    '      DSIGUU=-1D0',
    '      CALL MADNIS_REUSED_ME(DSIGUU)',
    '      IF (DSIGUU.LT.0D0) THEN',
    `        CALL SMATRIX${call[1]}(P1,DSIGUU)`,
    '        CALL MADNIS_KEEP_ME(DSIGUU)',
    '      ENDIF',
    '',
  ].join('\n');
  return `${text.slice(0, call.index)}${kept}${text.slice(call.index + call[0].length)}`;
}

/** Rewrites a file MG5 copied read-only; `change` returns null when there is nothing to do. */
function patchFile(path: string, change: (text: string) => string | null): void {
  const changed = change(readFileSync(path, 'utf8'));
  if (changed === null) return;
  chmodSync(path, 0o644);
  writeFileSync(path, changed);
}

/**
 * DSIGPROC with a first evaluation before the one that counts (IMODE 0 only): the matrix
 * element alone (DSIG<n> with IMODE 5) fills AMP2, madnis_pick_config picks the config with
 * MadEvent's largest prior, and the second passcuts clusters along it (madnis_scale.f). Where
 * that is the config the first evaluation was clustered along (same scale), the second takes
 * the first's matrix element (withKeptMatrixElement), as the libraries evaluate it once there.
 */
function withFirstPass(text: string, file: string): string {
  const block = /^      IF \(PASSCUTS\(P1\)\) THEN\n[\s\S]*?^      ENDIF\n/m.exec(text);
  const calls = block ? [...block[0].matchAll(/^\s+IF\(IPROC\.EQ\.(\d+)\) DSIGPROC=DSIG(\d+)\(P1,WGT,IMODE\)/gm)] : [];
  if (!block || calls.length === 0) {
    throw new UserError(`${file}: no DSIGPROC dispatch to DSIG<n> found: cannot give MG5's run the scale definition of madnis-ts (${SCALE_DEFINITION})`);
  }
  const firstPass = [
    '      CALL MADNIS_FORCE_CONFIG(0)',
    '      CALL MADNIS_REUSE_ME(0)',
    '      CALL MADNIS_PASS1_NEEDED(J)',
    '      IF (J.EQ.1.AND.IMODE.EQ.0) THEN',
    '        IF (PASSCUTS(P1)) THEN',
    '          XDUM=0D0',
    ...calls.map((c) => `          IF(IPROC.EQ.${c[1]}) XDUM=DSIG${c[2]}(P1,WGT,5)`),
    '          IF (XDUM.NE.0D0) CALL MADNIS_PICK_CONFIG(IPROC,P1)',
    '          CALL MADNIS_PASS2_NEEDED(J)',
    '          IF (J.EQ.0) CALL MADNIS_REUSE_ME(1)',
    '        ENDIF',
    '      ENDIF',
    '',
  ].join('\n');
  return `${text.slice(0, block.index)}${firstPass}${block[0]}      CALL MADNIS_FORCE_CONFIG(0)\n${text.slice(block.index + block[0].length)}`;
}
