/**
 * Use case `generate --cluster ENGINE --jobs N`: N shards of one gridpack as one job array on
 * a batch system, followed until every shard ended, failed shards resubmitted (a shard's
 * streams are fixed by its index, so a rerun draws exactly the same events), then merged
 * into the run folder. A shard counts as done only by its own summary.json saying
 * completed: true; a killed shard's partial file is never merged.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { JobRunner, SubmittedArray, TaskStatus } from '../cluster/runner.js';
import { SlurmRunner } from '../cluster/slurm.js';
import { checkRun, MERGE_NORMALISATION, type CheckedRun } from '../generate/merge.js';
import type { GenerateResult } from '../generate/run.js';
import { isGridpackPath } from '../gridpack/open.js';
import { ITERATION_LIMIT, WHOLE_RUN } from '../mc/streams.js';
import { packageRoot } from '../native/paths.js';
import { writeJsonAtomic } from '../util/atomic_write.js';
import { ensureDirectory } from '../util/directories.js';
import { UserError } from '../util/errors.js';
import type { GenerateSummary } from './generate.js';
import { gridpack } from './gridpack.js';
import { claimRunDir, clusterRunLayout, eventRunFiles, type ClusterRunLayout } from './layout.js';
import { mergeInto } from './merge.js';
import { withProgress, type Reporter } from './reporter.js';

export const CLUSTER_ENGINES = ['slurm'] as const;
export type ClusterEngine = (typeof CLUSTER_ENGINES)[number];

export interface ClusterGenerateInput {
  /** a gridpack, or a sampler file (packed into the run folder first) */
  sampler: string;
  cluster: ClusterEngine;
  jobs: number;
  events: number;
  seed: number;
  /** threads per job (its --cpus-per-task) */
  threads: number;
  batch: number;
  /** submissions of a failed shard after its first */
  retries: number;
  /** seconds between looks at the queue */
  pollSeconds: number;
  out?: string;
  pdf?: string;
  mg5?: string;
  shouldStop?: () => boolean;
  /** told, once the first array is submitted, how to cancel every array at once (a signal handler's last act) */
  registerCancel?: (cancelNow: () => void) => void;
}

const RUNNERS: Record<ClusterEngine, () => JobRunner> = { slurm: () => new SlurmRunner() };

export function runnerFor(engine: ClusterEngine): JobRunner {
  return RUNNERS[engine]();
}

/** The events of shard i: as even as integers allow. */
export function shardEvents(events: number, jobs: number, index: number): number {
  return Math.floor(events / jobs) + (index < events % jobs ? 1 : 0);
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function jobScript(runner: JobRunner, layout: ClusterRunLayout, archive: string, input: ClusterGenerateInput): string {
  const v = runner.taskIndexVariable;
  const cli = [process.execPath, join(packageRoot, 'bin', 'madnis-ts.js')].map(quote).join(' ');
  return [
    '#!/bin/sh',
    `# madnis-ts generate --cluster ${input.cluster}: one shard of ${input.jobs} of ${archive}`,
    'set -eu',
    `i=\${${v}:?not run as an array task}`,
    `events=$(( ${Math.floor(input.events / input.jobs)} + (i < ${input.events % input.jobs} ? 1 : 0) ))`,
    `out=${quote(layout.shardsDir)}/shard_$(printf %03d "$i")`,
    `exec ${cli} generate ${quote(archive)} --events "$events" --seed ${input.seed} --shard "$i/${input.jobs}" --threads ${input.threads} --batch ${input.batch} --out "$out"`,
    '',
  ].join('\n');
}

/** The shard's complete run, if it has one (the latest, should a rerun have written another). */
function completeRun(shardOut: string): CheckedRun | undefined {
  const events = join(shardOut, 'Events');
  if (!existsSync(events)) return undefined;
  for (const dir of readdirSync(events).filter((d) => /^run_\d+$/.test(d)).sort().reverse()) {
    const runDir = join(events, dir);
    const files = eventRunFiles(runDir);
    if (!existsSync(files.summary)) continue;
    try {
      const summary = JSON.parse(readFileSync(files.summary, 'utf8')) as { completed?: boolean };
      if (summary.completed) return checkRun({ runDir, summaryPath: files.summary, lhePath: files.lhe });
    } catch {
      continue;
    }
  }
  return undefined;
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

interface ShardProgress {
  attempts: number;
  array: SubmittedArray;
  submittedAt: number;
  run?: CheckedRun;
  failed?: string;
}

export async function clusterGenerate(input: ClusterGenerateInput, reporter: Reporter) {
  if (input.jobs > ITERATION_LIMIT) throw new UserError(`--jobs ${input.jobs}: at most ${ITERATION_LIMIT} shards (the core's random streams)`);
  if (input.events < input.jobs) throw new UserError(`--events ${input.events} is fewer than --jobs ${input.jobs}: every shard needs events`);
  const runner = runnerFor(input.cluster);
  const unavailable = await runner.check();
  if (unavailable) throw new UserError(`--cluster ${input.cluster}: ${unavailable}`);
  const source = resolve(input.sampler);
  const outDir = resolve(input.out ?? resolve(source, '..'));
  const layout = clusterRunLayout(claimRunDir(outDir));
  ensureDirectory(layout.logsDir);
  ensureDirectory(layout.shardsDir);
  const archive = isGridpackPath(source) ? source : (await gridpack({ from: source, output: join(layout.runDir, 'gridpack.tar.gz'), pdf: input.pdf, mg5: input.mg5 })).path;
  writeFileSync(layout.script, jobScript(runner, layout, archive, input));
  chmodSync(layout.script, 0o755);

  const arrays: SubmittedArray[] = [];
  input.registerCancel?.(() => { for (const array of arrays) runner.cancelNow(array); });
  const shards = new Map<number, ShardProgress>();
  const submit = async (tasks: number[], attempt: number) => {
    const array = await runner.submit({
      name: 'madnis-ts', script: layout.script, tasks, cpusPerTask: input.threads, logsDir: layout.logsDir, env: { MADNIS_SHARD_ATTEMPT: String(attempt) },
    });
    arrays.push(array);
    for (const task of tasks) shards.set(task, { attempts: attempt, array, submittedAt: Date.now() });
    return array;
  };
  const all = Array.from({ length: input.jobs }, (_, i) => i);
  const first = await submit(all, 1);
  reporter.note(`submitted ${input.jobs} shards as ${input.cluster} job array ${first.id} (${layout.script}); logs in ${layout.logsDir}`);
  const resubmitted: number[] = [];
  try {
    await withProgress(reporter, `shards (${input.cluster} ${first.id})`, 'shards', true, async (bar) => {
      for (;;) {
        if (input.shouldStop?.()) throw new UserError(`stopped: the job arrays ${arrays.map((a) => a.id).join(', ')} were cancelled; complete shards stay in ${layout.shardsDir}`);
        const statuses = new Map<number, TaskStatus>();
        for (const array of new Set([...shards.values()].filter((s) => !s.run && !s.failed).map((s) => s.array))) {
          for (const [task, status] of await runner.status(array)) if (shards.get(task)?.array === array) statuses.set(task, status);
        }
        const retry: number[] = [];
        for (const [task, status] of statuses) {
          const shard = shards.get(task)!;
          if (status.state !== 'ended') continue;
          // a task the batch system does not know yet, just after sbatch
          if (status.detail === 'UNKNOWN' && Date.now() - shard.submittedAt < 30_000) continue;
          shard.run = completeRun(layout.shardOut(task));
          if (shard.run) continue;
          const why = `${status.detail}, no complete run in ${layout.shardOut(task)}; log ${runner.logOf(shard.array, task, layout.logsDir)}`;
          if (shard.attempts <= input.retries) retry.push(task);
          else shard.failed = why;
          reporter.warn(`shard ${task} ended without a complete run (${why})${shard.attempts <= input.retries ? ': resubmitted' : ''}`);
        }
        if (retry.length) {
          const attempt = Math.max(...retry.map((t) => shards.get(t)!.attempts)) + 1;
          await submit(retry, attempt);
          resubmitted.push(...retry);
        }
        const values = [...shards.values()];
        const done = values.filter((s) => s.run).length, failed = values.filter((s) => s.failed).length;
        const running = [...statuses.values()].filter((s) => s.state === 'running').length;
        const acceptance = values.filter((s) => s.run).map((s) => (s.run!.summary as unknown as { measured_acceptance: number }).measured_acceptance);
        bar.update(done, input.jobs, {
          phase: `${running} running, ${input.jobs - done - failed - running} queued, ${failed} failed, ${resubmitted.length} resubmitted`,
          efficiency: acceptance.length ? acceptance.reduce((a, b) => a + b, 0) / acceptance.length : 0,
        });
        if (done + failed === input.jobs) break;
        await sleep(input.pollSeconds);
      }
    });
  } catch (error) {
    for (const array of arrays) await runner.cancel(array);
    throw error;
  }
  const failed = [...shards.entries()].filter(([, s]) => s.failed);
  const cluster = {
    engine: input.cluster, jobs: input.jobs, arrays: arrays.map((a) => ({ id: a.id, tasks: a.tasks })), script: layout.script, logs: layout.logsDir,
    resubmitted, attempts: Object.fromEntries([...shards.entries()].map(([t, s]) => [t, s.attempts])),
  };
  if (failed.length) {
    writeJsonAtomic(eventRunFiles(layout.runDir).summary, { command: 'generate', completed: false, cluster, failed_shards: Object.fromEntries(failed.map(([t, s]) => [t, s.failed])) });
    throw new UserError(
      `${failed.length} of ${input.jobs} shards failed after ${input.retries + 1} submissions (shard ${failed.map(([t]) => t).join(', ')}; first: ${failed[0]![1].failed}); nothing merged: ` +
        `the complete shards are in ${layout.shardsDir} (\`madnis-ts merge\` merges them)`,
    );
  }
  const runs = all.map((t) => shards.get(t)!.run!);
  const merged = await mergeInto(layout.runDir, runs, reporter);
  const summary = { ...merged.summary, cluster };
  writeJsonAtomic(merged.summaryPath, summary);
  return { runDir: layout.runDir, summary, summaryPath: merged.summaryPath, runs };
}

export type ClusterRun = Awaited<ReturnType<typeof clusterGenerate>>;

/**
 * The merged run as one generation's result (launch --cluster): counts summed over the
 * shards, the acceptance over all their points, each channel's weight share weighted by its
 * shard's sum of weight factors, σ and the weights from the merge.
 */
export function clusterGenerateResult(run: ClusterRun, wallSeconds: number): GenerateResult {
  const shards = run.runs.map((r) => r.summary as unknown as GenerateSummary);
  const sum = (f: (s: GenerateSummary) => number) => shards.reduce((a, s) => a + f(s), 0);
  const factors = shards.map((s) => s.normalisation!.sum_weight_factors), allFactors = factors.reduce((a, b) => a + b, 0);
  const share = (f: (s: GenerateSummary) => number) => shards.reduce((a, s, k) => a + factors[k]! * f(s), 0) / allFactors;
  const points = sum((s) => s.generation_points), accepted = sum((s) => s.accepted_events);
  const acceptance = points ? accepted / points : 0;
  const first = shards[0]!.composition, m = run.summary;
  return {
    runDir: run.runDir,
    lhePath: m.lhe_file,
    partialPath: '',
    completed: true,
    events: m.events,
    batches: sum((s) => s.generation_batches),
    shard: WHOLE_RUN,
    overweight_share: m.overweight_share,
    w_max: m.w_max,
    w_max_source: m.w_max_source,
    presample: { points: 0, sigma: m.sigma_pb, error: m.sigma_error_pb, expected_acceptance: shards[0]!.expected_acceptance },
    generation: {
      points, invalid: sum((s) => s.invalid_points), accepted, acceptance, acceptance_error: points ? Math.sqrt((acceptance * (1 - acceptance)) / points) : 0,
      overweight_events: sum((s) => s.overweight_events), overweight_sigma_share: share((s) => s.overweight_sigma_share), sigma: m.sigma_pb, error: m.sigma_error_pb,
    },
    composition: {
      channels: first.channels.map((c, i) => ({ ...c, events: sum((s) => s.composition.channels[i]!.events), weight_share: share((s) => s.composition.channels[i]!.weight_share) })),
      parts: first.parts.map((p, i) => ({ ...p, events: sum((s) => s.composition.parts[i]!.events), weight_share: share((s) => s.composition.parts[i]!.weight_share) })),
      definition: `${first.definition}; summed over the ${shards.length} shards`,
    },
    normalisation: { ...m.normalisation, method: `${shards[0]!.normalisation!.method}; merged: ${MERGE_NORMALISATION}` },
    scaleVariations: m.scale_variations,
    timing: {
      sample_s: sum((s) => s.timing_s.sample_s), evaluate_s: sum((s) => s.timing_s.evaluate_s), unweight_s: sum((s) => s.timing_s.unweight_s), write_s: sum((s) => s.timing_s.write_s),
      wall_s: wallSeconds,
    },
  };
}
