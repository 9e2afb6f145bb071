/**
 * JSON-lines histories (eval/history.jsonl): one JSON value per line, appended, never rewritten.
 *
 * Append rather than atomic rewrite, as metrics.jsonl does (metrics-log.ts): each value is one
 * write(2) of one complete line to a file opened O_APPEND, then fsync'ed, so a finished append
 * survives a later kill or power cut, and a kill during the write can leave at most a partial last
 * line. Readers skip such a line; the next append first cuts it away, so a torn line never ends
 * up between complete ones. (A rewrite would copy the whole history on every append to gain
 * nothing a reader needs.)
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { invariant, UserError } from '../util/errors.js';
import { errorCode, fsUserError } from './atomic-write.js';

/** Bytes read per step while looking backwards for the last complete line. */
const TAIL_CHUNK_BYTES = 64 * 1024;

/**
 * Length of the file up to and including its last newline: everything after it is a line cut
 * short by a kill mid-write. Reads backwards in chunks, so a long file is not read whole.
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

/**
 * Opens the JSON-lines file `abs` for appending, creating it if needed (its directory must exist),
 * and cuts a trailing partial line left by a killed writer. `what` names the file in errors
 * ("metrics log": "cannot open metrics log …").
 */
export function openForAppend(abs: string, what?: string): number {
  const name = (verb: string) => (what === undefined ? verb : `${verb} ${what}`);
  let fd: number;
  try {
    // 'a+': writes always go to the end, and the tail can still be read to find a partial line.
    fd = fs.openSync(abs, 'a+', 0o644);
  } catch (error) {
    throw fsUserError(name('open'), abs, error);
  }
  try {
    const keep = completeLength(fd);
    if (keep < fs.fstatSync(fd).size) fs.ftruncateSync(fd, keep);
  } catch (error) {
    fs.closeSync(fd);
    throw fsUserError(name('repair'), abs, error);
  }
  return fd;
}

/** Writes `value` as one line of JSON at the end of the file open as `fd` (one write of the whole line). */
export function writeJsonLine(fd: number, value: unknown, abs: string, what?: string): void {
  const line = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
  let offset = 0;
  try {
    while (offset < line.length) offset += fs.writeSync(fd, line, offset, line.length - offset);
  } catch (error) {
    throw fsUserError(what === undefined ? 'append to' : `append to ${what}`, abs, error);
  }
}

/** Appends `value` as one line of JSON to `filePath` and fsyncs it (created if needed; its directory must exist). */
export function appendJsonLine(filePath: string, value: unknown): void {
  const abs = path.resolve(filePath);
  const fd = openForAppend(abs);
  try {
    writeJsonLine(fd, value, abs);
    fs.fsyncSync(fd);
  } catch (error) {
    throw error instanceof UserError ? error : fsUserError('append to', abs, error);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The complete lines of `text` (the content of `abs`) with their 1-based line numbers: a trailing
 * partial line is skipped; a malformed complete line is a UserError naming the file and line
 * (`what` adds " in the metrics log", say).
 */
export function parseJsonLines(text: string, abs: string, what?: string): { readonly line: number; readonly value: unknown }[] {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: '' or a partial line
  const entries: { line: number; value: unknown }[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      entries.push({ line: index + 1, value: JSON.parse(line) });
    } catch {
      throw new UserError(`${abs}:${index + 1}: not a valid JSON line${what === undefined ? '' : ` in the ${what}`}`);
    }
  });
  return entries;
}

/**
 * The values of the complete lines of `filePath`, in order; none when the file does not exist.
 * A trailing partial line (a writer was killed, or is writing now) is skipped; a malformed
 * complete line is a UserError naming the file and line.
 */
export async function readJsonLines(filePath: string): Promise<unknown[]> {
  const abs = path.resolve(filePath);
  let text: string;
  try {
    text = await fsp.readFile(abs, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw fsUserError('read', abs, error);
  }
  return parseJsonLines(text, abs).map((entry) => entry.value);
}
