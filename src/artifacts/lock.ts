/**
 * An exclusive lock on a run directory, so that two processes never write one run: the file
 * `<dir>/.lock`, created with O_EXCL ('wx'), holding the owner's pid, host name and start time.
 * A lock whose process is gone (a crash, a kill -9) is stale and is taken over without fuss, so a
 * killed run can simply be started again.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorMessage, UserError } from '../util/errors.js';
import { errorCode, formatJson, fsErrorReason, fsUserError, writeFileAtomic } from './atomic-write.js';

/** Name of the lock file inside a run directory. */
export const LOCK_FILE = '.lock';

/**
 * A lock file that cannot be parsed is normally one being written right now (between its creation
 * and its first write); after this long it is treated as the leftover of a crash instead.
 */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** What a lock file records about its owner. */
export interface LockInfo {
  /** Process id of the owner, on `hostname`. */
  readonly pid: number;
  /** os.hostname() of the owner: a pid means nothing on another machine sharing the directory. */
  readonly hostname: string;
  /** When the owner took the lock, ISO 8601. */
  readonly startedAt: string;
  /** Random per-acquisition value, so an owner never removes a lock that was taken over from it. */
  readonly token: string;
}

/** A held lock. Releasing twice is harmless. */
export interface RunLock {
  /** Absolute path of the lock file. */
  readonly path: string;
  readonly info: LockInfo;
  release(): Promise<void>;
  /** Synchronous release, as used by the process 'exit' handler. */
  releaseSync(): void;
}

/** Whether a process with this pid exists on this machine (EPERM: it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo> | null;
    // pid must be a positive integer: kill(0 or negative) would address whole process groups.
    if (
      value !== null &&
      typeof value === 'object' &&
      Number.isInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.hostname === 'string' &&
      typeof value.startedAt === 'string' &&
      typeof value.token === 'string'
    ) {
      return value as LockInfo;
    }
  } catch {
    // Fall through: unparseable.
  }
  return undefined;
}

/** The owner recorded in `<dir>/.lock`, or undefined when there is no lock or it cannot be parsed. */
export async function readLock(dir: string): Promise<LockInfo | undefined> {
  try {
    return parseLockInfo(await fsp.readFile(path.join(dir, LOCK_FILE), 'utf8'));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw unreadableLockError(path.join(dir, LOCK_FILE), error);
  }
}

/**
 * A `.lock` that cannot be read as a file (a directory, no permission): not one s3gan left, and
 * not something to take over silently; the user removes or fixes it.
 */
function unreadableLockError(lockPath: string, error: unknown): unknown {
  const what = errorCode(error) === 'EISDIR' ? 'is a directory, not a lock file' : `cannot be read (${fsErrorReason(error) ?? errorMessage(error)})`;
  return new UserError(`lock file ${lockPath} ${what}: remove it if no s3gan process is using ${path.dirname(lockPath)} (config key run.dir)`);
}

function lockedError(dir: string, holder: LockInfo): UserError {
  const where = holder.hostname === os.hostname() ? '' : ` on host ${holder.hostname}`;
  return new UserError(
    `run directory ${dir} is locked by process ${holder.pid}${where} (started ${holder.startedAt}); ` +
      `another s3gan process is writing this run. Wait for it to finish or stop it, or choose another run.dir`,
  );
}

/** Creates the lock file exclusively; false when one already exists. */
async function createExclusive(lockPath: string, content: string): Promise<boolean> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(lockPath, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.rm(lockPath, { force: true });
    throw error;
  }
  return true;
}

type Existing = { kind: 'gone' } | { kind: 'held'; holder: LockInfo } | { kind: 'stale' };

/** Classifies the lock file that blocked creation. */
async function inspectExisting(dir: string, lockPath: string): Promise<Existing> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, mtimeMs] = await Promise.all([fsp.readFile(lockPath, 'utf8'), fsp.stat(lockPath).then((s) => s.mtimeMs)]);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'gone' };
    throw unreadableLockError(lockPath, error);
  }
  const holder = parseLockInfo(text);
  if (holder === undefined) {
    if (Date.now() - mtimeMs < UNREADABLE_LOCK_GRACE_MS) {
      throw new UserError(
        `run directory ${dir} is locked: ${lockPath} is being written by another process; try again in a few seconds`,
      );
    }
    return { kind: 'stale' };
  }
  // A pid on another host cannot be checked from here, so such a lock is always respected.
  if (holder.hostname !== os.hostname() || isProcessAlive(holder.pid)) return { kind: 'held', holder };
  return { kind: 'stale' };
}

/**
 * Takes the exclusive lock on run directory `dir` (which must exist), or throws a UserError naming
 * the process that holds it. A stale lock (its process is dead) is replaced atomically. The lock
 * is released by `release()` and, as a safety net, when the process exits normally.
 */
export async function acquireLock(dir: string): Promise<RunLock> {
  const absDir = path.resolve(dir);
  const lockPath = path.join(absDir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const content = formatJson(info);
  const hint = ' (config key run.dir)';

  // A few rounds: the lock may vanish or be taken over by someone else between our looks at it.
  for (let round = 0; round < 5; round++) {
    try {
      if (await createExclusive(lockPath, content)) return heldLock(lockPath, info);
    } catch (error) {
      throw fsUserError('create lock file', lockPath, error, hint);
    }
    const existing = await inspectExisting(absDir, lockPath);
    if (existing.kind === 'held') throw lockedError(absDir, existing.holder);
    if (existing.kind === 'gone') continue;
    // Stale: replace it by rename, so there is never a moment without a lock file; then read back,
    // because a second process taking over the same stale lock at the same moment may have won.
    await writeFileAtomic(lockPath, content);
    const now = await readLock(absDir);
    if (now?.token === info.token) return heldLock(lockPath, info);
    if (now !== undefined) throw lockedError(absDir, now);
  }
  throw new UserError(`cannot lock run directory ${absDir}: the lock file keeps changing; is another run starting?`);
}

function heldLock(lockPath: string, info: LockInfo): RunLock {
  let released = false;

  // Only our own lock is removed: after a takeover the file belongs to someone else.
  const isOurs = (text: string) => parseLockInfo(text)?.token === info.token;

  const releaseSync = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', onExit);
    try {
      if (isOurs(fs.readFileSync(lockPath, 'utf8'))) fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  };

  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    process.removeListener('exit', onExit);
    try {
      if (isOurs(await fsp.readFile(lockPath, 'utf8'))) await fsp.rm(lockPath, { force: true });
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  };

  // An exit handler must not throw: the process is going away whatever happens to the lock.
  const onExit = (): void => {
    try {
      releaseSync();
    } catch {
      // A lock left behind is stale once this pid is gone, and the next run takes it over.
    }
  };

  process.on('exit', onExit);
  return { path: lockPath, info, release, releaseSync };
}
