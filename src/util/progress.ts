/**
 * Progress of long work (decoding a dataset, training steps) on stderr. On a terminal: a live
 * cli-progress bar with rate and ETA. Elsewhere (CI logs, pipes, files) a live bar would write
 * thousands of carriage-return frames, so plain lines are printed instead, only when the work has
 * moved since the last line and then at most one per 10 s (at a new tenth of the work) and at
 * least one per 30 s, then a final line:
 *
 *     decode: 12000/50000 images (24%), 3100 images/s, ETA 12s
 *     decode: 50000/50000 images (100%), 3050 images/s, done in 16s
 */
import { Presets, SingleBar } from 'cli-progress';
import type { ProgressFn } from '../data/options.js';

/** Where progress goes: process.stderr, or any object with `write` (tests pass a fake). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

/** A stream that shows nothing: for work whose progress would interleave with another bar's, and tests. */
export const SILENT_PROGRESS: ProgressStream = { isTTY: false, write: () => true };

/** Extra values shown after the counts, e.g. { loss: 0.73 }. */
export type ProgressPayload = Readonly<Record<string, string | number>>;

export interface ProgressOptions {
  /** What is being done, e.g. 'decode'. */
  readonly label: string;
  /** Units of work in all (≥ 0). */
  readonly total: number;
  /** Name of one unit, plural, e.g. 'images' or 'steps'. */
  readonly unit: string;
  /** Default process.stderr. */
  readonly stream?: ProgressStream;
  /** Clock in milliseconds (default Date.now); tests pass a fake one. */
  readonly now?: () => number;
  /** When the work began, on the `now` clock (default: now); rate and ETA count from here. */
  readonly startedAt?: number;
  /**
   * Print a first plain line at once ('pretrain: 0/2000 steps, starting'), for work whose first
   * update may be minutes away (a first training step on a slow machine). A bar always shows at once.
   */
  readonly announce?: boolean;
}

export interface Progress {
  /** `n` more units done (default 1). */
  tick(n?: number, payload?: ProgressPayload): void;
  /** `done` units done in all. */
  update(done: number, payload?: ProgressPayload): void;
  /** Ends the display: the bar is finalised, or the final plain line printed. Stopping twice is harmless. */
  stop(): void;
  /** This reporter as a ProgressFn (done, total), for readers that report through one. */
  readonly report: ProgressFn;
}

/** Shortest time between two plain lines of one reporter: many reporters may share one log. */
const PLAIN_MIN_INTERVAL_MS = 10_000;
/** Longest time between two plain lines while the work moves: a log still shows life. */
const PLAIN_MAX_INTERVAL_MS = 30_000;
/** Between the two, a line marks each new tenth of the work. */
const PLAIN_STEPS = 10;

/** '12s', '3m 05s', '2h 07m'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Units per second with sensible precision: '3100', '12.5', '0.42'. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return '?';
  if (perSecond >= 100) return String(Math.round(perSecond));
  if (perSecond >= 10) return perSecond.toFixed(1);
  return perSecond.toPrecision(2);
}

function formatPayload(payload: ProgressPayload | undefined, separator: string): string {
  if (payload === undefined) return '';
  return Object.entries(payload)
    .map(([key, value]) => {
      // Four significant digits are plenty for a glance at a loss; Number() drops trailing zeros.
      const short = typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value;
      return `${separator}${key}=${String(short)}`;
    })
    .join('');
}

/** Starts reporting progress on `options.stream` (default stderr): a bar on a TTY, plain lines otherwise. */
export function createProgress(options: ProgressOptions): Progress {
  const { label, unit } = options;
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  let total = Math.max(0, options.total);
  let done = 0;
  let payload: ProgressPayload | undefined;
  let stopped = false;

  const elapsedSeconds = () => (now() - startedAt) / 1000;
  const rate = () => {
    const elapsed = elapsedSeconds();
    return elapsed > 0 ? done / elapsed : Number.NaN;
  };
  const percent = () => (total > 0 ? Math.floor((100 * Math.min(done, total)) / total) : 100);

  // On a terminal: cli-progress draws and throttles the bar itself ({rate} and {extra} are ours).
  const barFormat = `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}{extra}`;
  const bar = stream.isTTY
    ? new SingleBar(
        {
          format: barFormat,
          stream: stream as NodeJS.WritableStream,
          etaBuffer: 50,
        },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(total, 0, { rate: '?', extra: '' });
  if (bar === undefined && options.announce === true) stream.write(`${label}: 0/${total} ${unit}, starting\n`);

  // Elsewhere: plain lines, throttled by time and by tenths of the work.
  let lastLineAt = startedAt;
  let lastLineStep = 0;
  let lastLineDone = 0;
  const tenth = () => (total > 0 ? Math.floor((PLAIN_STEPS * Math.min(done, total)) / total) : 0);
  const line = (ending: string) => {
    const counts = `${done}/${total} ${unit} (${percent()}%), ${formatRate(rate())} ${unit}/s`;
    return `${label}: ${counts}, ${ending}${formatPayload(payload, ', ')}\n`;
  };

  const show = () => {
    if (stopped) return;
    if (bar !== undefined) {
      bar.setTotal(total);
      bar.update(done, { rate: formatRate(rate()), extra: formatPayload(payload, ' | ') });
      return;
    }
    const step = tenth();
    const time = now();
    const sinceLineMs = time - lastLineAt;
    const due = sinceLineMs >= PLAIN_MAX_INTERVAL_MS || (sinceLineMs >= PLAIN_MIN_INTERVAL_MS && step > lastLineStep);
    // A line that repeats the last one's counts says nothing; the 100 % line is left to stop().
    if (done !== lastLineDone && done < total && due) {
      const r = rate();
      stream.write(line(`ETA ${formatDuration(r > 0 ? (total - done) / r : Number.NaN)}`));
      lastLineAt = time;
      lastLineStep = step;
      lastLineDone = done;
    }
  };

  const update = (value: number, newPayload?: ProgressPayload) => {
    done = value;
    if (newPayload !== undefined) payload = newPayload;
    show();
  };

  return {
    tick: (n = 1, newPayload) => update(done + n, newPayload),
    update,
    stop: () => {
      if (stopped) return;
      if (bar !== undefined) {
        bar.update(done, { rate: formatRate(rate()), extra: formatPayload(payload, ' | ') });
        bar.stop();
      } else {
        stream.write(line(`${done >= total ? 'done' : 'stopped'} in ${formatDuration(elapsedSeconds())}`));
      }
      stopped = true;
    },
    report: (value: number, newTotal: number) => {
      total = Math.max(0, newTotal);
      update(value);
    },
  };
}

/**
 * A ProgressFn that shows progress under `label`: the reporter appears at the first call (which
 * brings the total) and stops by itself once done reaches the total; a later call starts a new one.
 */
export function progressFn(options: Omit<ProgressOptions, 'total'>): ProgressFn {
  const now = options.now ?? Date.now;
  // The work begins when the callback is made (or the previous round ended), not at its first call.
  let startedAt = options.startedAt ?? now();
  let progress: Progress | undefined;
  return (done, total) => {
    progress ??= createProgress({ ...options, total, startedAt });
    progress.report(done, total);
    if (done >= total) {
      progress.stop();
      progress = undefined;
      startedAt = now();
    }
  };
}
