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
import { UserError } from '../util/errors.js';
import { errorCode, fsUserError } from './atomic-write.js';
import { completeLength } from './metrics-log.js';

/** Appends `value` as one line of JSON to `filePath` (created if needed; its directory must exist). */
export function appendJsonLine(filePath: string, value: unknown): void {
  const abs = path.resolve(filePath);
  const line = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
  let fd: number;
  try {
    // 'a+': writes always go to the end, and the tail can be read to find a partial line.
    fd = fs.openSync(abs, 'a+', 0o644);
  } catch (error) {
    throw fsUserError('open', abs, error);
  }
  try {
    const keep = completeLength(fd);
    if (keep < fs.fstatSync(fd).size) fs.ftruncateSync(fd, keep);
    let offset = 0;
    while (offset < line.length) offset += fs.writeSync(fd, line, offset, line.length - offset);
    fs.fsyncSync(fd);
  } catch (error) {
    throw fsUserError('append to', abs, error);
  } finally {
    fs.closeSync(fd);
  }
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
  const lines = text.split('\n');
  lines.pop(); // after the last newline: '' or a partial line
  const values: unknown[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      values.push(JSON.parse(line));
    } catch {
      throw new UserError(`${abs}:${index + 1}: not a valid JSON line`);
    }
  });
  return values;
}
