/**
 * Atomic file writes for run artifacts: the data goes to a temporary file in the target's own
 * directory, is fsync'ed, renamed over the target, and the directory is fsync'ed. A reader (or a
 * resumed run after a crash) therefore sees either the old file or the complete new one, never a
 * half-written artifact. The temporary file lives in the same directory because rename(2) is only
 * atomic within one file system.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { invariant, UserError } from '../util/errors.js';

/**
 * Plain-language reasons for the file-system errors a user can cause or fix (a wrong path, a
 * read-only mount, a full disk). Codes not listed are unexpected and are rethrown untouched.
 */
const USER_FS_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'file name too long',
};

/** The errno code of a Node.js system error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The plain-language reason for a user-fixable file-system error, or undefined for other errors. */
export function fsErrorReason(error: unknown): string | undefined {
  const code = errorCode(error);
  return code === undefined ? undefined : USER_FS_ERRORS[code];
}

/**
 * Turns a user-fixable file-system error into a UserError "cannot <action> <path>: <reason><hint>";
 * anything else is returned unchanged so that real bugs keep their stack.
 */
export function fsUserError(action: string, filePath: string, error: unknown, hint = ''): unknown {
  const reason = fsErrorReason(error);
  return reason === undefined ? error : new UserError(`cannot ${action} ${filePath}: ${reason}${hint}`);
}

/** A fresh temporary name next to `target`; pid and random suffix keep concurrent writers apart. */
function tempPathFor(target: string): string {
  const suffix = randomBytes(6).toString('hex');
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${suffix}.tmp`);
}

/**
 * Some platforms and file systems refuse fsync on a directory; the rename is still atomic there,
 * only its durability across a power cut is weaker, so those refusals are not failures.
 */
function isUnsupportedDirSync(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'EBADF' || code === 'ENOTSUP';
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!isUnsupportedDirSync(error)) throw error;
  } finally {
    await handle?.close();
  }
}

function syncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    if (!isUnsupportedDirSync(error)) throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes `data` to `filePath` atomically (temp file, fsync, rename, fsync of the directory).
 * The directory must exist. On failure the temporary file is removed and a user-fixable cause
 * (permission, missing directory, read-only or full disk) becomes a UserError naming `filePath`.
 */
export async function writeFileAtomic(filePath: string, data: string | Uint8Array): Promise<void> {
  const target = path.resolve(filePath);
  const temp = tempPathFor(target);
  let created = false;
  try {
    // 'wx': never reuse (or follow a planted link to) an existing file under the temp name.
    const handle = await fsp.open(temp, 'wx', 0o644);
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, target);
    created = false;
    await syncDirectory(path.dirname(target));
  } catch (error) {
    if (created) await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw fsUserError('write', target, error);
  }
}

/** Synchronous variant of writeFileAtomic, for exit handlers and other places that cannot await. */
export function writeFileAtomicSync(filePath: string, data: string | Uint8Array): void {
  const target = path.resolve(filePath);
  const temp = tempPathFor(target);
  let created = false;
  try {
    const fd = fs.openSync(temp, 'wx', 0o644);
    created = true;
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
    created = false;
    syncDirectorySync(path.dirname(target));
  } catch (error) {
    if (created) {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // The original failure is the one worth reporting.
      }
    }
    throw fsUserError('write', target, error);
  }
}

/** The JSON text artifacts use: two-space indentation and a final newline, so diffs stay readable. */
export function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  invariant(text !== undefined, `value of type ${typeof value} has no JSON form`);
  return `${text}\n`;
}

/** Writes `value` as pretty JSON (with a final newline) to `filePath` atomically. */
export async function writeJsonAtomic(filePath: string, value: unknown): Promise<void> {
  await writeFileAtomic(filePath, formatJson(value));
}

/** Synchronous variant of writeJsonAtomic. */
export function writeJsonAtomicSync(filePath: string, value: unknown): void {
  writeFileAtomicSync(filePath, formatJson(value));
}
