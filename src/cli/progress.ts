/**
 * The terminal side of the use cases' Reporter: progress bars with ETA and spinners on
 * stderr when it is a terminal; when it is not (a batch job's log, nohup, a pipe), sparse
 * plain lines instead. Notes and warnings are stderr lines.
 */
import cliProgress from 'cli-progress';
import ora from 'ora';

import type { LiveStatus, ProgressHandle, Reporter } from '../app/reporter.js';
import { count, percent, withError } from '../util/format.js';

function livePayload(status?: LiveStatus): Record<string, string> {
  if (!status) return { phase: '', sigma: '', eps: '', loss: '-' };
  return {
    phase: status.phase,
    sigma: status.sigma === undefined ? '' : withError(status.sigma, status.error ?? 0),
    eps: percent(status.efficiency, 1),
    loss: status.loss?.toExponential(2) ?? '-',
  };
}

/** How plain progress lines begin: a log reader (or grep -v) tells them from notes and errors. */
export const PROGRESS_PREFIX = 'madnis-ts: progress: ';

/** A plain progress line is written at every tenth of the work, and at least this often. */
const PLAIN_PROGRESS_SECONDS = 30;

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * Progress as plain lines, for a stderr that is not a terminal: one line at each tenth of
 * the work and at least every PLAIN_PROGRESS_SECONDS, with done/total, the elapsed time,
 * the ETA and (with `live`) the status; the last line says it is done.
 */
export function plainProgress(label: string, unit: string, live = false, write = (line: string) => process.stderr.write(line)): ProgressHandle {
  const start = performance.now();
  let lastTenth = -1, lastLine = start, lastDone = -1;
  const line = (done: number, total: number, status?: LiveStatus) => {
    const elapsed = (performance.now() - start) / 1000;
    const eta = done > 0 ? (elapsed * (total - done)) / done : Number.NaN;
    const fields = livePayload(status);
    const liveText = live && status
      ? ` | ${[fields.phase, fields.sigma && `σ ${fields.sigma}`, `ε ${fields.eps}`, status.loss != null && `loss ${fields.loss}`].filter(Boolean).join(' ')}`
      : '';
    const when = done >= total ? `done in ${duration(elapsed)}` : `${duration(elapsed)} elapsed, ETA ${duration(eta)}`;
    write(`${PROGRESS_PREFIX}${label} ${percent(total > 0 ? done / total : 1, 0)} (${count(done)}/${count(total)} ${unit}), ${when}${liveText}\n`);
  };
  return {
    update(done, total, status) {
      if (done === lastDone) return;
      lastDone = done;
      const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
      const now = performance.now();
      if (tenth > lastTenth || now - lastLine >= PLAIN_PROGRESS_SECONDS * 1000) {
        lastTenth = tenth;
        lastLine = now;
        line(done, total, status);
      }
    },
    stop() {},
  };
}

/** With `live`, the status's phase, σ, ε and loss follow the bar. */
export function progressBar(label: string, unit: string, live = false): ProgressHandle {
  if (!process.stderr.isTTY) return plainProgress(label, unit, live);
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
 * Runs a long step with a spinner on stderr whose text follows the step's progress
 * messages, and ends it with `done(result)` or `failed`; when stderr is not a terminal,
 * each message that differs from the last is a plain line.
 */
export async function withSpinner<T>(label: string, failed: string, step: (onStep: (text: string) => void) => Promise<T>, done: (result: T) => string): Promise<T> {
  if (!process.stderr.isTTY) return plainSteps(label, step, done);
  const spinner = ora({ stream: process.stderr }).start(label);
  try {
    const result = await step((text) => { spinner.text = text; });
    spinner.succeed(done(result));
    return result;
  } catch (error) {
    spinner.fail(failed);
    throw error;
  }
}

async function plainSteps<T>(label: string, step: (onStep: (text: string) => void) => Promise<T>, done: (result: T) => string): Promise<T> {
  const write = (text: string) => process.stderr.write(`${PROGRESS_PREFIX}${text}\n`);
  let last = label;
  write(label);
  try {
    const result = await step((text) => {
      if (text === last) return;
      last = text;
      write(text);
    });
    write(done(result));
    return result;
  } catch (error) {
    // the error's own line follows
    throw error;
  }
}

export const terminalReporter: Reporter = {
  progress: progressBar,
  task: withSpinner,
  note: (text) => process.stderr.write(`madnis-ts: note: ${text}\n`),
  warn: (text) => process.stderr.write(`madnis-ts: warning: ${text}\n`),
};
