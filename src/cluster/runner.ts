/**
 * A batch system, as the cluster run sees it: submit one job array of a shell script, ask
 * where each task stands, cancel. Slurm implements it (slurm.ts) through its own client
 * tools; another engine (HTCondor's condor_submit / condor_q / condor_history) would
 * implement the same four calls.
 */

/** pending or running: still in the queue; ended: left it (whether it worked is the shard's summary's to say) */
export type TaskState = 'pending' | 'running' | 'ended';

export interface TaskStatus {
  state: TaskState;
  /** the batch system's own word for it (RUNNING, COMPLETED, FAILED, CANCELLED, …) */
  detail: string;
}

export interface ArraySubmission {
  /** the job's name in the queue */
  name: string;
  /** a shell script run once per task, with the task's index in `taskIndexVariable` */
  script: string;
  tasks: number[];
  cpusPerTask: number;
  /** where the tasks' stdout and stderr go */
  logsDir: string;
  /** added to the tasks' environment (the submitting environment is passed on too) */
  env: Record<string, string>;
}

export interface SubmittedArray {
  id: string;
  tasks: number[];
}

export interface JobRunner {
  readonly engine: string;
  /** the environment variable holding a task's index inside the script */
  readonly taskIndexVariable: string;
  /** whether the client tools answer (a one-line reason when not) */
  check(): Promise<string | undefined>;
  submit(submission: ArraySubmission): Promise<SubmittedArray>;
  /** every task of the array; a task the batch system no longer knows counts as ended */
  status(array: SubmittedArray): Promise<Map<number, TaskStatus>>;
  cancel(array: SubmittedArray): Promise<void>;
  /** the same, synchronously: for a signal handler about to exit */
  cancelNow(array: SubmittedArray): void;
  /** the log file of one task */
  logOf(array: SubmittedArray, task: number, logsDir: string): string;
}
