/**
 * Directories that appear whole or not at all: `fill` writes into a hidden temporary sibling, which
 * is renamed into place only when complete. A kill midway leaves a `.name.tmp-*` directory that
 * readers ignore and the next write removes, never a half-filled `name`.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { fsUserError } from './atomic-write.js';

const TEMP_MARK = '.tmp-';

/** Whether a directory entry is an unfinished atomic directory (to skip when listing). */
export function isTempDirName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARK);
}

/** Removes unfinished atomic directories left in `parent` by killed writers. */
export async function removeTempDirs(parent: string): Promise<void> {
  const entries = await fsp.readdir(parent).catch(() => [] as string[]);
  await Promise.all(entries.filter(isTempDirName).map((name) => fsp.rm(path.join(parent, name), { recursive: true, force: true })));
}

/**
 * Creates directory `target` atomically with the files `fill` writes into the directory it is given.
 * An existing `target` is replaced (it is moved aside first, then removed).
 */
export async function writeDirAtomic(target: string, fill: (dir: string) => Promise<void>): Promise<void> {
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  const temp = path.join(parent, `.${path.basename(absolute)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await fsp.mkdir(temp, { recursive: true });
  } catch (error) {
    throw fsUserError('create directory', temp, error);
  }
  try {
    await fill(temp);
    await syncTree(temp);
    const aside = `${temp}-old`;
    const replaced = await fsp.rename(absolute, aside).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    await fsp.rename(temp, absolute);
    if (replaced) await fsp.rm(aside, { recursive: true, force: true });
    await syncPath(parent);
  } catch (error) {
    await fsp.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw fsUserError('write', absolute, error);
  }
}

async function syncPath(target: string): Promise<void> {
  const handle = await fsp.open(target, 'r');
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

/** fsync every file of a (flat or nested) directory, then the directory itself. */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(child);
    else await syncPath(child);
  }
  await syncPath(dir);
}
