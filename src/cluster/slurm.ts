/**
 * The Slurm runner: `sbatch --array` submits, `squeue` follows the tasks in the queue, and
 * `sacct` (or, where the cluster keeps no accounting, `scontrol show job`, which remembers
 * ended jobs for MinJobAge) says how the others ended. Client tools find the cluster as they
 * always do (slurm.conf, or SLURM_CONF).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { execa } from 'execa';

import { UserError } from '../util/errors.js';
import type { ArraySubmission, JobRunner, SubmittedArray, TaskStatus } from './runner.js';

async function run(command: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const result = await execa(command, args, { reject: false, env: { SLURM_TIME_FORMAT: 'standard' } });
    return { ok: result.exitCode === 0, stdout: String(result.stdout), stderr: String(result.stderr) };
  } catch (error) {
    return { ok: false, stdout: '', stderr: (error as Error).message };
  }
}

const QUEUED: Record<string, 'pending' | 'running'> = {
  PENDING: 'pending', CONFIGURING: 'pending', REQUEUED: 'pending', RESV_DEL_HOLD: 'pending', REQUEUE_HOLD: 'pending', REQUEUE_FED: 'pending',
  RUNNING: 'running', COMPLETING: 'running', SUSPENDED: 'running', STAGE_OUT: 'running', SIGNALING: 'running', RESIZING: 'running',
};

/** `123_4|RUNNING` (squeue -r) or `123_4|FAILED|1:0` (sacct -P) lines: task → state. */
function parseTaskLines(text: string, id: string): Map<number, string> {
  const states = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [job, state] = line.trim().split('|');
    const match = new RegExp(`^${id}_(\\d+)$`).exec(job ?? '');
    if (match && state) states.set(Number(match[1]), state.split(' ')[0]!);
  }
  return states;
}

export class SlurmRunner implements JobRunner {
  readonly engine = 'slurm';
  readonly taskIndexVariable = 'SLURM_ARRAY_TASK_ID';

  async check(): Promise<string | undefined> {
    const info = await run('sinfo', ['-h', '-o', '%P %a']);
    if (!info.ok) return `Slurm's client tools do not answer (sinfo: ${(info.stderr.trim().split('\n')[0] || 'not found')})`;
    return undefined;
  }

  async submit(s: ArraySubmission): Promise<SubmittedArray> {
    const env = Object.entries(s.env).map(([k, v]) => `${k}=${v}`);
    const args = [
      '--parsable', `--job-name=${s.name}`, `--array=${s.tasks.join(',')}`, `--cpus-per-task=${s.cpusPerTask}`,
      `--output=${join(s.logsDir, 'shard_%a.job_%A.log')}`, `--export=${['ALL', ...env].join(',')}`, s.script,
    ];
    const result = await run('sbatch', args);
    const id = result.stdout.trim().split(';')[0];
    if (!result.ok || !id || !/^\d+$/.test(id)) throw new UserError(`sbatch refused the job array: ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
    return { id, tasks: [...s.tasks] };
  }

  async status(array: SubmittedArray): Promise<Map<number, TaskStatus>> {
    const queue = await run('squeue', ['-h', '-r', '-j', array.id, '-o', '%i|%T']);
    const queued = parseTaskLines(queue.ok ? queue.stdout : '', array.id);
    const statuses = new Map<number, TaskStatus>();
    const left = array.tasks.filter((t) => !QUEUED[queued.get(t) ?? '']);
    let ended = new Map<number, string>();
    if (left.length) {
      const sacct = await run('sacct', ['-n', '-P', '-X', '-j', array.id, '-o', 'JobID,State,ExitCode']);
      if (sacct.ok && sacct.stdout.trim()) ended = parseTaskLines(sacct.stdout, array.id);
      else {
        // no accounting: scontrol remembers ended jobs for MinJobAge
        const show = await run('scontrol', ['-o', 'show', 'job', array.id]);
        for (const line of show.stdout.split('\n')) {
          const task = /ArrayTaskId=(\d+)/.exec(line)?.[1], state = /JobState=(\S+)/.exec(line)?.[1];
          if (task && state) ended.set(Number(task), state);
        }
      }
    }
    for (const task of array.tasks) {
      const inQueue = QUEUED[queued.get(task) ?? ''];
      if (inQueue) statuses.set(task, { state: inQueue, detail: queued.get(task)! });
      else {
        const detail = ended.get(task) ?? 'UNKNOWN';
        // sacct and scontrol can lag squeue by a moment: a task still RUNNING there counts as running
        statuses.set(task, QUEUED[detail] ? { state: QUEUED[detail]!, detail } : { state: 'ended', detail });
      }
    }
    return statuses;
  }

  async cancel(array: SubmittedArray): Promise<void> {
    await run('scancel', [array.id]);
  }

  cancelNow(array: SubmittedArray): void {
    spawnSync('scancel', [array.id], { stdio: 'ignore' });
  }

  logOf(array: SubmittedArray, task: number, logsDir: string): string {
    return join(logsDir, `shard_${task}.job_${array.id}.log`);
  }
}
