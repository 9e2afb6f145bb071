/**
 * metrics.jsonl: one JSON object per logged step, appended as training goes. Each record is one
 * write(2) of one complete line to a file opened O_APPEND, so a killed process loses at most the
 * line being written, and a resumed run first cuts that partial line away before appending.
 * (Append rather than atomic rewrite: the log grows for the whole run and is never rewritten.)
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { invariant, UserError } from '../util/errors.js';
import { fsUserError } from './atomic-write.js';
import { openForAppend, parseJsonLines, writeJsonLine } from './json-lines.js';

/** A metric value. Non-finite numbers (NaN, ±Infinity) have no JSON form and are written as null. */
export type MetricValue = number | string | boolean | null;

/** What a caller logs: named values for one step, e.g. { step: 100, dLoss: 0.7, gLoss: 1.2 }. */
export type MetricRecord = Readonly<Record<string, MetricValue>>;

/** A record as stored: the caller's fields plus `time`, when it was logged (ISO 8601). */
export type LoggedRecord = Readonly<Record<string, MetricValue>> & { readonly time: string };

/** An open metrics.jsonl for appending. */
export class MetricsLog {
  private fd: number | undefined;

  private constructor(
    /** Absolute path of the log file. */
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `filePath` for appending, creating it if needed (its directory must exist), and removes
   * a trailing partial line left by a killed process.
   */
  static open(filePath: string): MetricsLog {
    const abs = path.resolve(filePath);
    const fd = openForAppend(abs, 'metrics log');
    return new MetricsLog(abs, fd);
  }

  /**
   * Appends `record` as one line, with `time` (now, ISO 8601) first. Synchronous, so that the line
   * has reached the operating system when it returns: a later kill of this process cannot lose it.
   */
  log(record: MetricRecord): void {
    invariant(this.fd !== undefined, `metrics log ${this.path} used after close()`);
    invariant(!('time' in record), 'metric records must not set `time`: the log stamps it');
    writeJsonLine(this.fd, { time: new Date().toISOString(), ...record }, this.path, 'metrics log');
  }

  /** Closes the file. Closing twice is harmless. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  /**
   * All complete records of `filePath`, in order. A trailing partial line (the process was killed
   * while writing it, or is writing it now) is ignored; a malformed complete line is a UserError
   * naming the file and line.
   */
  static async read(filePath: string): Promise<LoggedRecord[]> {
    const abs = path.resolve(filePath);
    let text: string;
    try {
      text = await fsp.readFile(abs, 'utf8');
    } catch (error) {
      throw fsUserError('read metrics log', abs, error);
    }
    return parseJsonLines(text, abs, 'metrics log').map(({ line, value }) => {
      const isRecord =
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        typeof (value as { time?: unknown }).time === 'string';
      if (!isRecord) {
        throw new UserError(`${abs}:${line}: not a metrics record (a JSON object with a \`time\` string)`);
      }
      return value as LoggedRecord;
    });
  }
}
