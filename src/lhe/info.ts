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
    /**
     * the smallest non-zero |weight|: in an unweighted sample the weight of an ordinary
     * event (σ, or σ·N/Σf where overweight events keep their larger weight)
     */
    unit_weight: number;
    /** events whose |weight| exceeds the unit weight by more than 1e-6 relative (overweights) */
    above_unit_weight: number;
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
  // the smallest |w| so far and how many events are within the tolerance of it: every event
  // above a new, smaller unit weight was above it all along
  let unit = Infinity;
  let atUnit = 0;
  let zero = 0;
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
      const magnitude = Math.abs(w);
      if (magnitude === 0) zero++;
      if (magnitude > 0 && magnitude < unit * (1 - RELATIVE_TOLERANCE)) {
        unit = magnitude;
        atUnit = 1;
      } else if (magnitude > 0 && magnitude <= unit * (1 + RELATIVE_TOLERANCE)) atUnit++;
      const pdgs = event.particles
        .filter((p) => p.status === 1)
        .map((p) => p.pdg)
        .sort((a, b) => a - b)
        .join(' ');
      finalStates.set(pdgs, (finalStates.get(pdgs) ?? 0) + 1);
    },
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
      unit_weight: Number.isFinite(unit) ? unit : 0,
      above_unit_weight: Number.isFinite(unit) ? events - atUnit - zero : 0,
    },
    final_state: [...finalStates.entries()]
      .map(([pdgs, n]) => ({ pdgs, events: n }))
      .sort((a, b) => b.events - a.events || (a.pdgs < b.pdgs ? -1 : 1)),
  };
}
