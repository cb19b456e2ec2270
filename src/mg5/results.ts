/**
 * Readers for what MadEvent writes during `generate_events` (MG5_aMC v3, LO):
 *
 * - `results.dat` of a job folder (`SubProcesses/P*\/G*`) and of the whole run
 *   (`SubProcesses/results.dat`): one summary line, written by dsample.f as
 *   `axsec xerru xerrc nevents nw maxit nunwgt luminosity wgt xsec [maxwgt th_maxwgt th_nunwgt]`
 *   (|σ| in pb, its uncorrelated and correlated errors, integrand evaluations, weighted
 *   events kept, iterations, unweighted events, luminosity, the unweighting weight, σ,
 *   and the maximum weights of the secondary unweighting), then one line per iteration,
 *   `iteration σ error efficiency max_weight |σ|`, then an optional `<lo_statistics>` block.
 * - a job's log (`G*\/log.txt` or `G*\/<run>_log.txt`): per iteration
 *   `Iteration  N   Mean: m Abs mean: a   Fluctuation: s   W   F%`, where W is the largest
 *   weight times the non-zero fraction and F the percentage of points with a non-zero weight.
 * - the run's banner (`Events/<run>/<run>_tag_1_banner.txt`): `<MGGenerationInfo>` with the
 *   number of events and the integrated weight.
 *
 * Every reader takes the text and its path, and a malformed line is a UserError naming
 * `path:line` and what was expected.
 */
import { UserError } from '../util/errors.js';

export interface Mg5Iteration {
  iteration: number;
  sigma_pb: number;
  error_pb: number;
  /** MadEvent's per-iteration efficiency figure, σ·√(non-zero)/mean (a relative spread) */
  eff: number;
  max_weight: number;
  abs_sigma_pb: number;
}

export interface Mg5JobResult {
  path: string;
  abs_sigma_pb: number;
  error_uncorrelated_pb: number;
  error_correlated_pb: number;
  /** integrand evaluations of the job */
  points: number;
  weighted_events: number;
  iterations: number;
  unweighted_events: number;
  luminosity: number;
  unweighting_weight: number;
  sigma_pb: number;
  max_weight?: number;
  th_max_weight?: number;
  th_unweighted_events?: number;
  iteration_lines: Mg5Iteration[];
  cumulated_time_s?: number;
}

export interface Mg5LogIteration {
  iteration: number;
  mean: number;
  abs_mean: number;
  fluctuation: number;
  /** the largest weight times the non-zero fraction, as printed */
  max_weight_times_nonzero: number;
  nonzero_fraction: number;
  /** ⟨|w|⟩ / w_max over all points of the iteration: abs_mean / max_weight_times_nonzero × nonzero_fraction */
  sampler_efficiency: number;
}

export interface Mg5JobLog {
  path: string;
  iterations: Mg5LogIteration[];
  events_found?: number;
  events_written?: number;
}

export interface Mg5Banner {
  path: string;
  events: number;
  integrated_weight_pb: number;
}

function fail(path: string, line: number, what: string): never {
  throw new UserError(`${path}:${line}: ${what}`);
}

/** Fortran's E format, including the exponent-without-E form it writes for 3-digit exponents (0.1234-100). */
function fortranNumber(token: string, path: string, line: number, field: string): number {
  let value = Number(token);
  if (Number.isNaN(value)) {
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+))([+-]\d+)$/.exec(token);
    if (m) value = Number(m[1]) * 10 ** Number(m[2]);
  }
  if (!Number.isFinite(value)) fail(path, line, `${field} is not a number: '${token}'`);
  return value;
}

const SUMMARY_FIELDS = [
  'abs_sigma_pb', 'error_uncorrelated_pb', 'error_correlated_pb', 'points', 'weighted_events', 'iterations',
  'unweighted_events', 'luminosity', 'unweighting_weight', 'sigma_pb',
] as const;
const COUNT_FIELDS = new Set(['points', 'weighted_events', 'iterations', 'unweighted_events']);

export function parseResultsDat(text: string, path: string): Mg5JobResult {
  const lines = text.split(/\r?\n/);
  const first = lines[0]?.trim() ?? '';
  if (!first) fail(path, 1, 'empty results file: the MadEvent job did not finish (see its log.txt)');
  if (/end code not correct/i.test(first)) fail(path, 1, `the MadEvent job failed: ${first}`);
  const tokens = first.split(/\s+/);
  if (tokens.length < SUMMARY_FIELDS.length)
    fail(path, 1, `expected at least ${SUMMARY_FIELDS.length} fields (${SUMMARY_FIELDS.join(' ')}), found ${tokens.length}`);
  const result: Partial<Mg5JobResult> & { path: string; iteration_lines: Mg5Iteration[] } = { path, iteration_lines: [] };
  SUMMARY_FIELDS.forEach((field, i) => {
    const value = fortranNumber(tokens[i]!, path, 1, field);
    if (COUNT_FIELDS.has(field) && (!Number.isInteger(value) || value < 0))
      fail(path, 1, `${field} must be a count, found '${tokens[i]}'`);
    (result as Record<string, unknown>)[field] = value;
  });
  if (tokens.length > 10) result.max_weight = fortranNumber(tokens[10]!, path, 1, 'max_weight');
  if (tokens.length > 12) {
    result.th_max_weight = fortranNumber(tokens[11]!, path, 1, 'th_max_weight');
    result.th_unweighted_events = fortranNumber(tokens[12]!, path, 1, 'th_unweighted_events');
  }
  for (let i = 1; i < lines.length; ++i) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (line.startsWith('<')) {
      const time = /<cumulated_time>\s*(\S+)\s*<\/cumulated_time>/.exec(text);
      if (time) result.cumulated_time_s = fortranNumber(time[1]!, path, i + 1, 'cumulated_time');
      break;
    }
    const t = line.split(/\s+/);
    if (t.length !== 6) fail(path, i + 1, `expected an iteration line 'iteration σ error efficiency max_weight |σ|', found '${line}'`);
    const iteration = fortranNumber(t[0]!, path, i + 1, 'iteration');
    if (!Number.isInteger(iteration) || iteration < 0) fail(path, i + 1, `iteration must be a count, found '${t[0]}'`);
    result.iteration_lines.push({
      iteration,
      sigma_pb: fortranNumber(t[1]!, path, i + 1, 'σ'),
      error_pb: fortranNumber(t[2]!, path, i + 1, 'error'),
      eff: fortranNumber(t[3]!, path, i + 1, 'efficiency'),
      max_weight: fortranNumber(t[4]!, path, i + 1, 'max_weight'),
      abs_sigma_pb: fortranNumber(t[5]!, path, i + 1, '|σ|'),
    });
  }
  return result as Mg5JobResult;
}

const ITERATION_LINE =
  /^\s*Iteration\s+(\d+)\s+Mean:\s*(\S+)\s+Abs mean:\s*(\S+)\s+Fluctuation:\s*(\S+)\s+(\S+)\s+(\S+)%\s*$/;

export function parseJobLog(text: string, path: string): Mg5JobLog {
  const log: Mg5JobLog = { path, iterations: [] };
  text.split(/\r?\n/).forEach((line, index) => {
    const n = index + 1;
    if (/^\s*Iteration\s+\d/.test(line)) {
      const m = ITERATION_LINE.exec(line);
      if (!m) fail(path, n, `malformed iteration line (expected 'Iteration N Mean: m Abs mean: a Fluctuation: s W F%'): '${line.trim()}'`);
      const absMean = fortranNumber(m[3]!, path, n, 'Abs mean');
      const scaledMax = fortranNumber(m[5]!, path, n, 'max weight');
      const nonzero = fortranNumber(m[6]!, path, n, 'non-zero percentage') / 100;
      if (nonzero < 0 || nonzero > 1) fail(path, n, `non-zero percentage out of range: ${m[6]}%`);
      log.iterations.push({
        iteration: Number(m[1]),
        mean: fortranNumber(m[2]!, path, n, 'Mean'),
        abs_mean: absMean,
        fluctuation: fortranNumber(m[4]!, path, n, 'Fluctuation'),
        max_weight_times_nonzero: scaledMax,
        nonzero_fraction: nonzero,
        sampler_efficiency: scaledMax > 0 ? (absMean / scaledMax) * nonzero : 0,
      });
      return;
    }
    const found = /^\s*Found\s+(\d+)\s+events\.\s*$/.exec(line);
    if (found) log.events_found = Number(found[1]);
    const wrote = /^\s*Wrote\s+(\d+)\s+events\.\s*$/.exec(line);
    if (wrote) log.events_written = Number(wrote[1]);
  });
  return log;
}

export function parseBanner(text: string, path: string): Mg5Banner {
  const start = text.indexOf('<MGGenerationInfo>');
  if (start < 0) throw new UserError(`${path}: no <MGGenerationInfo> block: the run did not finish writing its events`);
  const firstLine = text.slice(0, start).split('\n').length;
  const block = text.slice(start, text.indexOf('</MGGenerationInfo>', start)).split('\n');
  let events: number | undefined, weight: number | undefined;
  block.forEach((line, i) => {
    const m = /^#\s*(Number of Events|Integrated weight \(pb\))\s*:\s*(\S+)\s*$/.exec(line.trim());
    if (!m) return;
    const value = fortranNumber(m[2]!, path, firstLine + i, m[1]!);
    if (m[1] === 'Number of Events') events = value;
    else weight = value;
  });
  if (events === undefined || weight === undefined)
    throw new UserError(`${path}:${firstLine}: <MGGenerationInfo> lacks '${events === undefined ? 'Number of Events' : 'Integrated weight (pb)'}'`);
  return { path, events, integrated_weight_pb: weight };
}
