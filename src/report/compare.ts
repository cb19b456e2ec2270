/**
 * madnis-ts against MG5 on the same process, cards, machine and thread count: the cross
 * sections and their pull, the three efficiency measures for both samplers (defined once,
 * in EFFICIENCY_DEFINITIONS, and shown in the report), and the time to N unweighted events.
 */
import type { BaselineResult } from '../mg5/baseline.js';
import type { FinalIntegration, PhaseSummary } from '../train/schedule.js';

export const EFFICIENCY_DEFINITIONS = {
  end_to_end:
    'unweighted events written ÷ integrand evaluations spent producing them. MG5: the events of its run ÷ the evaluations of the jobs whose results make up its final result (SubProcesses/results.dat: the refine jobs, and the survey job of a channel that needed no refine); the rest of its survey is its fixed cost. madnis-ts: the events ÷ the points drawn by the generation step (w_max and σ come from the training\'s final integration); the training points and time are its fixed cost, listed separately.',
  sampler:
    'ε = ⟨|w|⟩ / w_max on a weighted sample of N points, cut-failing (zero-weight) points included, per channel on the channel\'s own points, and combined either on the whole sample (one w_max for all channels, madnis-ts only) or as Σσ_c ÷ Σ(σ_c/ε_c), the efficiency of unweighting every channel on its own in proportion to its σ (both samplers: the like-for-like ratio). w_max is either the plain maximum or the smallest value that leaves at most the overweight share of σ in overweights (the one the events were unweighted with: 1 % unless set, summary.json events.overweight_share). madnis-ts: the final integration of the trained sampler (fresh points). MG5: from its job logs, the last survey iteration of each channel (Abs mean ÷ max weight × non-zero fraction, plain maximum only).',
  time_to_events:
    'wall-clock seconds to N unweighted events on the same machine and threads, process generation and compilation excluded for both. MG5: its survey time (until it reports the end of the survey) plus N × (the rest of its generate_events time per requested event: refine, unweighting, combination); the whole time scaled linearly in N where the survey\'s end was not seen. madnis-ts: training time plus N × (generation time per event). The crossover is the N above which madnis-ts is faster.',
} as const;

export interface MadnisSide {
  sigma_pb: number;
  sigma_error_pb: number;
  final: FinalIntegration;
  phases: PhaseSummary[];
  training_points: number;
  training_wall_s: number;
  events: number;
  generation_points: number;
  generation_wall_s: number;
  channel_labels: string[];
  /** the share of σ the truncated w_max leaves in overweights (final integration and events) */
  overweight_share: number;
}

export interface ChannelComparison {
  label: string;
  /** the MG5 job that integrates this channel (a symmetric copy's is its class's) */
  mg5_job: string;
  madnis: { sigma_pb: number; error_pb: number; share: number; efficiency_max: number | null; efficiency_truncated: number | null; points: number };
}

/**
 * One of MG5's integration jobs (P folder/G graph, its Breit-Wigner splits merged) with the
 * madnis-ts channels that integrate the same configurations: MadEvent folds symmetric copies
 * of a diagram into one job, madnis-ts gives each copy a channel (and phase-space map) of its
 * own, so σ compares like for like only per job.
 */
export interface JobComparison {
  label: string;
  madnis_channels: string[];
  madnis: { sigma_pb: number; error_pb: number; share: number; efficiency_max: number | null; points: number } | null;
  mg5: { sigma_pb: number; error_pb: number; share: number; survey_efficiency: number | null; end_to_end: number | null; points: number } | null;
  /** (σ madnis − σ MG5)/combined error, where both integrate the job */
  pull: number | null;
}

export interface Comparison {
  events: { madnis: number; mg5: number };
  /** scale_definition: the MG5 run's, when it was given madnis-ts's (mg5/clustering.ts) */
  sigma: { madnis_pb: number; madnis_error_pb: number; mg5_pb: number; mg5_error_pb: number; pull: number; scale_definition?: string };
  efficiency: {
    end_to_end: { madnis: number; mg5: number; ratio: number; madnis_points: number; mg5_points: number; madnis_training_points: number };
    /** madnis-ts only: one plain-max w_max over the whole sample (MG5's logs have no such number) */
    sampler_max: { madnis: number; madnis_points: number };
    /** Σσ_c / Σ(σ_c/ε_c) of the plain-max channel efficiencies, for both samplers */
    sampler_channels: { madnis: number | null; mg5: number | null; ratio: number | null; mg5_source: string };
    sampler_truncated: { madnis: number; mg5: number | null; ratio: number | null; madnis_points: number; overweight_share: number };
    vegas_phase: { efficiency_max: number; efficiency_truncated: number } | null;
  };
  time: {
    madnis_training_s: number;
    madnis_per_event_s: number;
    mg5_wall_s: number;
    /** MG5's fixed cost (its survey), 0 when not measured */
    mg5_survey_s: number;
    mg5_per_event_s: number;
    to_events: Array<{ events: number; madnis_s: number; mg5_s: number; ratio: number }>;
    /** where the two straight lines cross: madnis-ts is faster above (or below) this N, or always / never */
    crossover_events: number | null;
    madnis_faster: 'above' | 'below' | 'always' | 'never';
  };
  channels: ChannelComparison[];
  jobs: JobComparison[];
  definitions: typeof EFFICIENCY_DEFINITIONS;
}

/** Σσ_c / Σ(σ_c/ε_c) over channels with σ_c > 0 and ε_c > 0. */
export function combineChannelEfficiencies(channels: Array<{ sigma: number; efficiency: number | null | undefined }>): number | null {
  let sigma = 0, cost = 0;
  for (const c of channels) {
    const s = Math.abs(c.sigma);
    if (s <= 0) continue;
    if (!c.efficiency || c.efficiency <= 0) return null;
    sigma += s;
    cost += s / c.efficiency;
  }
  return cost > 0 ? sigma / cost : null;
}

/** An MG5 job's name without its Breit-Wigner split suffix (G2.1 → G2). */
const baseJob = (label: string) => label.replace(/(\/G\d+)\.\d+$/, '$1');

/**
 * `jobOf` maps a madnis-ts channel label (P folder/G graph) to the MG5 job integrating it
 * (mg5/subprocesses.ts: mg5JobOfChannel); channels it does not list are their own job.
 */
export function compare(m: MadnisSide, mg5: BaselineResult, milestones = [1e4, 1e5, 1e6], jobOf: Map<string, string> = new Map()): Comparison {
  const pull = (m.sigma_pb - mg5.sigma_pb) / Math.hypot(m.sigma_error_pb, mg5.sigma_error_pb);
  const mg5Total = mg5.channels.reduce((a, c) => a + Math.abs(c.sigma_pb), 0) || 1;
  const madnisTotal = m.final.channels.reduce((a, c) => a + Math.abs(c.sigma), 0) || 1;
  const channels: ChannelComparison[] = m.final.channels.map((c, i) => {
    const label = m.channel_labels[i] ?? `channel ${i}`;
    return {
      label,
      mg5_job: jobOf.get(label) ?? label,
      madnis: { sigma_pb: c.sigma, error_pb: c.error, share: Math.abs(c.sigma) / madnisTotal, efficiency_max: c.efficiency_max ?? null, efficiency_truncated: c.efficiency_truncated ?? null, points: c.points },
    };
  });
  const jobLabels = [...new Set([...channels.map((c) => c.mg5_job), ...mg5.channels.map((c) => baseJob(c.label))])];
  const jobs: JobComparison[] = jobLabels.map((label) => {
    const ours = channels.filter((c) => c.mg5_job === label);
    const theirs = mg5.channels.filter((c) => baseJob(c.label) === label);
    const madnis = ours.length ? {
      sigma_pb: ours.reduce((a, c) => a + c.madnis.sigma_pb, 0),
      error_pb: Math.hypot(...ours.map((c) => c.madnis.error_pb)),
      share: ours.reduce((a, c) => a + c.madnis.share, 0),
      efficiency_max: combineChannelEfficiencies(ours.map((c) => ({ sigma: c.madnis.sigma_pb, efficiency: c.madnis.efficiency_max }))),
      points: ours.reduce((a, c) => a + c.madnis.points, 0),
    } : null;
    const points = theirs.reduce((a, c) => a + c.points, 0);
    const other = theirs.length ? {
      sigma_pb: theirs.reduce((a, c) => a + c.sigma_pb, 0),
      error_pb: Math.hypot(...theirs.map((c) => c.error_pb)),
      share: theirs.reduce((a, c) => a + Math.abs(c.sigma_pb), 0) / mg5Total,
      survey_efficiency: combineChannelEfficiencies(theirs.map((c) => ({ sigma: c.sigma_pb, efficiency: c.survey_efficiency }))),
      end_to_end: points > 0 ? theirs.reduce((a, c) => a + c.unweighted_events, 0) / points : null,
      points,
    } : null;
    const error = madnis && other ? Math.hypot(madnis.error_pb, other.error_pb) : 0;
    return { label, madnis_channels: ours.map((c) => c.label), madnis, mg5: other, pull: madnis && other && error > 0 ? (madnis.sigma_pb - other.sigma_pb) / error : null };
  });
  const mg5Sampler = combineChannelEfficiencies(mg5.channels.map((c) => ({ sigma: c.sigma_pb, efficiency: c.survey_efficiency })));
  const madnisChannels = combineChannelEfficiencies(m.final.channels.map((c) => ({ sigma: c.sigma, efficiency: c.efficiency_max })));
  const madnisEndToEnd = m.generation_points > 0 ? m.events / m.generation_points : 0;
  const mg5EndToEnd = mg5.points > 0 ? mg5.events / mg5.points : 0;
  const perEventMadnis = m.events > 0 ? m.generation_wall_s / m.events : 0;
  const mg5Fixed = mg5.survey_wall_s ?? 0;
  const perEventMg5 = mg5.events > 0 ? (mg5.wall_time_s - mg5Fixed) / mg5.events : 0;
  const vegas = m.phases.find((p) => p.phase === 'VEGAS');
  return {
    events: { madnis: m.events, mg5: mg5.events },
    sigma: {
      madnis_pb: m.sigma_pb, madnis_error_pb: m.sigma_error_pb, mg5_pb: mg5.sigma_pb, mg5_error_pb: mg5.sigma_error_pb, pull,
      ...(mg5.scale_definition ? { scale_definition: mg5.scale_definition } : {}),
    },
    efficiency: {
      end_to_end: { madnis: madnisEndToEnd, mg5: mg5EndToEnd, ratio: mg5EndToEnd > 0 ? madnisEndToEnd / mg5EndToEnd : Number.NaN, madnis_points: m.generation_points, mg5_points: mg5.points, madnis_training_points: m.training_points },
      sampler_max: { madnis: m.final.efficiency_max, madnis_points: m.final.points },
      sampler_channels: { madnis: madnisChannels, mg5: mg5Sampler, ratio: madnisChannels && mg5Sampler ? madnisChannels / mg5Sampler : null, mg5_source: 'MadEvent job logs: last survey iteration per channel' },
      sampler_truncated: { madnis: m.final.efficiency_truncated, mg5: null, ratio: null, madnis_points: m.final.points, overweight_share: m.overweight_share },
      vegas_phase: vegas ? { efficiency_max: vegas.final.efficiency_max, efficiency_truncated: vegas.final.efficiency_truncated } : null,
    },
    time: {
      madnis_training_s: m.training_wall_s,
      madnis_per_event_s: perEventMadnis,
      mg5_wall_s: mg5.wall_time_s,
      mg5_survey_s: mg5Fixed,
      mg5_per_event_s: perEventMg5,
      to_events: milestones.map((n) => {
        const madnis = m.training_wall_s + n * perEventMadnis, mg5s = mg5Fixed + n * perEventMg5;
        return { events: n, madnis_s: madnis, mg5_s: mg5s, ratio: mg5s > 0 ? madnis / mg5s : Number.NaN };
      }),
      ...crossover(m.training_wall_s, perEventMadnis, mg5Fixed, perEventMg5),
    },
    channels,
    jobs,
    definitions: EFFICIENCY_DEFINITIONS,
  };
}

/** Where madnis-ts (A + a·N) and MG5 (B + b·N) take equal time, and on which side madnis-ts is faster. */
export function crossover(A: number, a: number, B: number, b: number): { crossover_events: number | null; madnis_faster: 'above' | 'below' | 'always' | 'never' } {
  if (a < b) return A <= B ? { crossover_events: 0, madnis_faster: 'always' } : { crossover_events: Math.ceil((A - B) / (b - a)), madnis_faster: 'above' };
  if (B > A) return a === b ? { crossover_events: null, madnis_faster: 'always' } : { crossover_events: Math.floor((B - A) / (a - b)), madnis_faster: 'below' };
  return { crossover_events: null, madnis_faster: 'never' };
}
