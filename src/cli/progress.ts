/**
 * The terminal side of the use cases' Reporter: progress bars with ETA and spinners on
 * stderr when it is a terminal (silent otherwise), notes and warnings as stderr lines.
 */
import cliProgress from 'cli-progress';
import ora from 'ora';

import type { LiveStatus, ProgressHandle, Reporter } from '../app/reporter.js';
import { percent, withError } from '../util/format.js';

function livePayload(status?: LiveStatus): Record<string, string> {
  if (!status) return { phase: '', sigma: '', eps: '', loss: '-' };
  return {
    phase: status.phase,
    sigma: status.sigma === undefined ? '' : withError(status.sigma, status.error ?? 0),
    eps: percent(status.efficiency, 1),
    loss: status.loss?.toExponential(2) ?? '-',
  };
}

/** With `live`, the status's phase, σ, ε and loss follow the bar. */
export function progressBar(label: string, unit: string, live = false): ProgressHandle {
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
    update(done, total, status) {
      const payload = livePayload(status);
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

export const terminalReporter: Reporter = {
  progress: progressBar,
  task: withSpinner,
  note: (text) => process.stderr.write(`madnis-ts: note: ${text}\n`),
  warn: (text) => process.stderr.write(`madnis-ts: warning: ${text}\n`),
};
