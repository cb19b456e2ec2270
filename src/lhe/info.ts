/**
 * A one-pass summary of an LHE file: event counts per process, weight statistics and the
 * final states, for checking a generated sample without a physics analysis framework.
 */
import { readLhe } from './reader.js';
import type { LheInit } from './types.js';

export interface LheInfo {
  path: string;
  events: number;
  version: string;
  init: LheInit;
  processes: Array<{ id: number; events: number }>;
  weights: {
    sum: number;
    mean: number;
    min: number;
    max: number;
    negative: number;
    /** events whose |weight| differs from XSECUP by more than 1e-6 relative (overweights) */
    distinct_from_xsec: number;
  };
  final_state: Array<{ pdgs: string; events: number }>;
}

const RELATIVE_TOLERANCE = 1e-6;

export async function lheInfo(path: string): Promise<LheInfo> {
  const perProcess = new Map<number, number>();
  const finalStates = new Map<string, number>();
  let sum = 0;
  let compensation = 0;
  let min = Infinity;
  let max = -Infinity;
  let negative = 0;
  let distinct = 0;
  let reference = Number.NaN;

  const onInit = (init: LheInit): void => {
    // Unweighted MG5 samples (event_norm = average) give every event the total σ, the
    // sum of XSECUP over the processes, whichever process the event belongs to.
    reference = Math.abs(init.processes.reduce((s, p) => s + p.xsec, 0));
  };
  const result = await readLhe(
    path,
    (event) => {
      perProcess.set(event.processId, (perProcess.get(event.processId) ?? 0) + 1);
      const w = event.weight;
      // Kahan summation: 10^7 similar weights would otherwise lose digits of σ
      const y = w - compensation;
      const t = sum + y;
      compensation = t - sum - y;
      sum = t;
      if (w < min) min = w;
      if (w > max) max = w;
      if (w < 0) negative++;
      if (!(Math.abs(Math.abs(w) - reference) <= RELATIVE_TOLERANCE * reference)) distinct++;
      const pdgs = event.particles
        .filter((p) => p.status === 1)
        .map((p) => p.pdg)
        .sort((a, b) => a - b)
        .join(' ');
      finalStates.set(pdgs, (finalStates.get(pdgs) ?? 0) + 1);
    },
    onInit,
  );

  // processes in <init> order (with zero counts), then ids only the events use
  const declared = result.init.processes.map((p) => p.id);
  const undeclared = [...perProcess.keys()].filter((id) => !declared.includes(id)).sort((a, b) => a - b);
  const processes = [...new Set([...declared, ...undeclared])].map((id) => ({ id, events: perProcess.get(id) ?? 0 }));
  const events = result.events;
  return {
    path,
    events,
    version: result.version,
    init: result.init,
    processes,
    weights: {
      sum,
      mean: events > 0 ? sum / events : 0,
      min: events > 0 ? min : 0,
      max: events > 0 ? max : 0,
      negative,
      distinct_from_xsec: distinct,
    },
    final_state: [...finalStates.entries()]
      .map(([pdgs, n]) => ({ pdgs, events: n }))
      .sort((a, b) => b.events - a.events || (a.pdgs < b.pdgs ? -1 : 1)),
  };
}
