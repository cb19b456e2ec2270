/**
 * How a use case tells its caller what is going on, without knowing about terminals: the
 * CLI implements it with progress bars, spinners and stderr lines (cli/progress.ts); tests
 * and other callers can pass `silentReporter`.
 */

/** The state of a running training or generation, shown next to its progress bar. */
export interface LiveStatus {
  phase: string;
  /** running estimate of σ and its error (pb), when there is one */
  sigma?: number;
  error?: number;
  efficiency: number;
  loss?: number | null;
}

export interface ProgressHandle {
  update(done: number, total: number, status?: LiveStatus): void;
  stop(): void;
}

export interface Reporter {
  /** a counted loop (points, training units, events) */
  progress(label: string, unit: string, live?: boolean): ProgressHandle;
  /** a long step made of named sub-steps (MG5 runs); `done` describes its result */
  task<T>(label: string, failed: string, run: (step: (text: string) => void) => Promise<T>, done: (result: T) => string): Promise<T>;
  /** something the user should know about a choice made for them */
  note(text: string): void;
  warn(text: string): void;
}

export const silentReporter: Reporter = {
  progress: () => ({ update() {}, stop() {} }),
  task: (_label, _failed, run) => run(() => {}),
  note() {},
  warn() {},
};

/** Runs `body` with a progress handle that is stopped however it ends. */
export async function withProgress<T>(reporter: Reporter, label: string, unit: string, live: boolean, body: (p: ProgressHandle) => Promise<T>): Promise<T> {
  const handle = reporter.progress(label, unit, live);
  try {
    return await body(handle);
  } finally {
    handle.stop();
  }
}
