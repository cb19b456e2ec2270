/**
 * The scale definition of launched MG5 processes. MadEvent's dynamical scale (and its xqcut
 * check) clusters each event along the diagram of the channel being integrated, so its
 * integrand depends on the channel. madnis-ts's process libraries cluster along a config
 * chosen from the momenta instead (native/mg5glue/madnis_scale.f), which makes f one function
 * for every channel; the MG5 baseline's copy of the process folder gets the same Fortran, so
 * that both integrate the same function.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../native/paths.js';
import { UserError } from '../util/errors.js';

export const CLUSTERING_SOURCE = join(packageRoot, 'native', 'mg5glue', 'madnis_scale.f');

/** What summaries and reports say about the scale both sides used. */
export const SCALE_DEFINITION =
  "run card's scale choice; where MadEvent clusters (dynamical_scale_choice -1, xqcut), along the config whose propagators are closest to their poles at the event's momenta (max over configs with a diagram in the subprocess of prod 1/((q²-M²)²+M²Γ²), Γ for s-channel ones), not along the integrated channel's";

/** The run card's ickkw: with matching (> 0) MadEvent's Sudakov weight clusters along the channel again. */
export function clusteringIsChannelIndependent(runCard: string): boolean {
  const match = /^\s*(-?\d+)\s*=\s*ickkw\b/m.exec(runCard);
  return !match || Number(match[1]) <= 0;
}

/** Whether MadEvent's run in `processDir` clusters as the libraries do (patchClusteringScale). */
export function clusteringPatched(processDir: string): boolean {
  const cuts = join(processDir, 'SubProcesses', 'cuts.f');
  return existsSync(cuts) && readFileSync(cuts, 'utf8').includes('madnis_setclscales');
}

/**
 * Makes MadEvent's own run in `processDir` (a copy: never the launched folder) cluster as the
 * libraries do: passcuts (SubProcesses/cuts.f, shared by every P folder) calls
 * madnis_setclscales, appended to the same file. MadEvent's make recompiles it.
 */
export function patchClusteringScale(processDir: string): void {
  const cuts = join(processDir, 'SubProcesses', 'cuts.f');
  if (!existsSync(cuts)) throw new UserError(`${cuts} is missing: not a MadEvent folder`);
  if (clusteringPatched(processDir)) return;
  const text = readFileSync(cuts, 'utf8');
  if (!/\bsetclscales\s*\(/i.test(text)) {
    throw new UserError(`${cuts} does not call setclscales: cannot give MG5's run the scale definition of madnis-ts (${SCALE_DEFINITION})`);
  }
  const patched = `${text.replace(/\bsetclscales\b/gi, 'madnis_setclscales')}\n${readFileSync(CLUSTERING_SOURCE, 'utf8')}`;
  // MG5 copies its templates read-only
  chmodSync(cuts, 0o644);
  writeFileSync(cuts, patched);
}
