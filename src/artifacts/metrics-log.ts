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

/** A metric value. Non-finite numbers (NaN, ±Infinity) have no JSON form and are written as null. */
export type MetricValue = number | string | boolean | null;

/** What a caller logs: named values for one step, e.g. { step: 100, dLoss: 0.7, gLoss: 1.2 }. */
export type MetricRecord = Readonly<Record<string, MetricValue>>;

/** A record as stored: the caller's fields plus `time`, when it was logged (ISO 8601). */
export type LoggedRecord = Readonly<Record<string, MetricValue>> & { readonly time: string };

/** Bytes read per step while looking backwards for the last complete line. */
const TAIL_CHUNK_BYTES = 64 * 1024;

/**
 * Length of the file up to and including its last newline: everything after it is a line cut
 * short by a kill mid-write. Reads backwards in chunks, so a long log is not read whole.
 */
export function completeLength(fd: number): number {
  const size = fs.fstatSync(fd).size;
  const buffer = Buffer.alloc(TAIL_CHUNK_BYTES);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK_BYTES);
    const length = end - start;
    const read = fs.readSync(fd, buffer, 0, length, start);
    invariant(read === length, `short read of ${length} bytes at ${start}`);
    const newline = buffer.subarray(0, length).lastIndexOf(0x0a);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}

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
    let fd: number;
    try {
      // 'a+': appends always go to the end, and the tail can still be read to find a partial line.
      fd = fs.openSync(abs, 'a+', 0o644);
    } catch (error) {
      throw fsUserError('open metrics log', abs, error);
    }
    try {
      const keep = completeLength(fd);
      if (keep < fs.fstatSync(fd).size) fs.ftruncateSync(fd, keep);
    } catch (error) {
      fs.closeSync(fd);
      throw fsUserError('repair metrics log', abs, error);
    }
    return new MetricsLog(abs, fd);
  }

  /**
   * Appends `record` as one line, with `time` (now, ISO 8601) first. Synchronous, so that the line
   * has reached the operating system when it returns: a later kill of this process cannot lose it.
   */
  log(record: MetricRecord): void {
    invariant(this.fd !== undefined, `metrics log ${this.path} used after close()`);
    invariant(!('time' in record), 'metric records must not set `time`: the log stamps it');
    const line = Buffer.from(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`, 'utf8');
    let offset = 0;
    try {
      while (offset < line.length) offset += fs.writeSync(this.fd, line, offset, line.length - offset);
    } catch (error) {
      throw fsUserError('append to metrics log', this.path, error);
    }
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
    const lines = text.split('\n');
    lines.pop(); // after the last newline: '' or a partial line
    const records: LoggedRecord[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new UserError(`${abs}:${index + 1}: not a valid JSON line in the metrics log`);
      }
      const isRecord =
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        typeof (value as { time?: unknown }).time === 'string';
      if (!isRecord) {
        throw new UserError(`${abs}:${index + 1}: not a metrics record (a JSON object with a \`time\` string)`);
      }
      records.push(value as LoggedRecord);
    });
    return records;
  }
}
