/**
 * Creates a directory and its missing parents one level at a time, starting from the nearest
 * ancestor that exists. Node's recursive mkdir spins for ever where a file system answers every
 * mkdir with ENOENT (e.g. under /proc) and reports some refusals (a read-only mount) as "no such
 * file or directory"; walking up by hand finds the real cause and names the path it belongs to.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../util/errors.js';
import { errorCode, fsErrorReason } from './atomic-write.js';

/** What to say in an error: "cannot create <noun> <dir>: …<hint>". */
export interface MakeDirsWording {
  /** E.g. 'run directory'. */
  readonly noun: string;
  /** Appended to every message, e.g. ' (config key run.dir)'. */
  readonly hint?: string;
}

/** A user-fixable file-system error as a reason, or the error itself (a bug keeps its stack). */
function reasonOr(error: unknown): string {
  const reason = fsErrorReason(error);
  if (reason === undefined) throw error;
  return reason;
}

/**
 * Makes `dir` (absolute or relative to the working directory) a directory, creating what is
 * missing. Returns the directories it created, shallowest first, so a caller can remove them
 * again. Fails with a UserError naming the path at fault and the operating system's reason.
 */
export async function makeDirs(dir: string, wording: MakeDirsWording): Promise<string[]> {
  const target = path.resolve(dir);
  const hint = wording.hint ?? '';
  const fail = (detail: string): UserError => new UserError(`cannot create ${wording.noun} ${target}: ${detail}${hint}`);

  // 1. Walk up to the nearest existing ancestor (the target itself when it exists).
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    try {
      const stats = await fsp.stat(existing);
      if (stats.isDirectory()) break;
      if (existing === target) throw new UserError(`${wording.noun} ${target} exists but is not a directory${hint}`);
      throw fail(`${existing} is not a directory`);
    } catch (error) {
      if (error instanceof UserError) throw error;
      // ENOTDIR: a file further up is in the way; walking on finds and names it.
      const code = errorCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fail(existing === target ? reasonOr(error) : `cannot look up ${existing}: ${reasonOr(error)}`);
    }
    const parent = path.dirname(existing);
    // The root always exists; reaching it here means stat keeps failing, which the branch above reports.
    if (parent === existing) throw fail(`no existing parent directory`);
    missing.unshift(existing);
    existing = parent;
  }
  if (missing.length === 0) return [];

  // 2. The ancestor must let us add entries (a read-only mount says so here, by name).
  try {
    await fsp.access(existing, fsp.constants.W_OK | fsp.constants.X_OK);
  } catch (error) {
    throw fail(`cannot write to ${existing}: ${reasonOr(error)}`);
  }

  // 3. One level at a time, so that every failure belongs to one known path.
  const created: string[] = [];
  for (const level of missing) {
    try {
      await fsp.mkdir(level);
      created.push(level);
    } catch (error) {
      const code = errorCode(error);
      // Another process made it in the meantime: fine, as long as it is a directory.
      if (code === 'EEXIST' && (await fsp.stat(level).catch(() => undefined))?.isDirectory()) continue;
      // The parent exists (we just saw or made it), so ENOENT means the file system refuses new entries.
      const reason = code === 'ENOENT' ? `the file system of ${path.dirname(level)} does not allow creating directories` : reasonOr(error);
      throw fail(level === target ? reason : `cannot create ${level}: ${reason}`);
    }
  }
  return created;
}

/** Removes the directories `makeDirs` created (deepest first) while they are empty; others stay. */
export async function removeCreatedDirs(created: readonly string[]): Promise<void> {
  for (const dir of [...created].reverse()) {
    try {
      await fsp.rmdir(dir);
    } catch {
      // Not empty (something else was put there) or already gone: leave it.
      return;
    }
  }
}
