import cliProgress from 'cli-progress';
import ora from 'ora';

export interface Progress {
  update(done: number, total: number, payload?: Record<string, string>): void;
  stop(): void;
}

/**
 * A progress bar with ETA on stderr when it is a terminal; silent otherwise. With
 * `live`, the payload's phase, σ, ε and loss follow the bar.
 */
export function progressBar(label: string, unit: string, live = false): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const liveFields = live ? ' | {phase} σ {sigma} ε {eps} loss {loss}' : '';
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {percentage}% {value}/{total} ${unit} | ETA {eta_formatted}${liveFields}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, payload) {
      if (!started) {
        bar.start(total, 0, payload);
        started = true;
      }
      bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * Runs a long step with a spinner on stderr (when it is a terminal) whose text follows the
 * step's progress messages, and ends it with `done(result)` or `failed`.
 */
export async function withSpinner<T>(label: string, failed: string, step: (onStep: (text: string) => void) => Promise<T>, done: (result: T) => string): Promise<T> {
  const spinner = process.stderr.isTTY ? ora({ stream: process.stderr }).start(label) : undefined;
  try {
    const result = await step((text) => { if (spinner) spinner.text = text; });
    spinner?.succeed(done(result));
    return result;
  } catch (error) {
    spinner?.fail(failed);
    throw error;
  }
}
