/**
 * A run directory: the one place a run's stages leave their artifacts and read each other's.
 * Opening one creates it, checks it can be written, locks it against a second process and reads
 * its manifest; nothing is written yet. The resolved config, the manifest (created, or updated with
 * versions, backend and the config change) are written when a stage starts (the first
 * `markStage(…, 'running')`, `ensureDir` or `commit`), so a command refused by any check before
 * that leaves the directory as it was, and a fresh directory it created is removed again at close.
 * An existing manifest is kept, so running the same command again resumes the run.
 *
 * What goes where inside it is defined in run-layout.ts.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { invariant } from '../util/errors.js';
import { errorCode, fsUserError, writeJsonAtomic } from './atomic-write.js';
import { asJson, configChanges } from './config-changes.js';
import { acquireLock, type RunLock } from './lock.js';
import { makeDirs, removeCreatedDirs } from './make-dirs.js';
import { RESOLVED_CONFIG_FILE } from './run-layout.js';
import {
  createManifest,
  readManifest,
  readManifestIfExists,
  markStage,
  s3ganVersion,
  writeManifest,
  type BackendRecord,
  type Manifest,
  type StagePatch,
} from './manifest.js';

/** The config key users set to choose the run directory; named in every error about it. */
const RUN_DIR_KEY = 'run.dir';

export interface OpenRunDirOptions {
  /** The fully resolved config (defaults, presets and overrides applied), saved as resolved-config.json when a stage starts. */
  readonly resolvedConfig: unknown;
  /** Hash of `resolvedConfig`; stages started through this RunDir record it unless given another. */
  readonly configHash?: string;
  /** Name recorded in a new manifest (default: the directory's base name). */
  readonly runName?: string;
}

/** An open, locked run directory. */
export interface RunDir {
  /** Absolute path of the directory. */
  readonly path: string;
  /** The config hash given at open, if any. */
  readonly configHash: string | undefined;
  /** Absolute path of `rel` (relative, '/'-separated, inside the run directory). */
  file(rel: string): string;
  /** Creates directory `rel` (and its parents) inside the run directory; returns its absolute path. Commits first. */
  ensureDir(rel: string): Promise<string>;
  /** The current manifest: from disk once committed, else the one a commit would write. */
  manifest(): Promise<Manifest>;
  /**
   * Updates stage `stage` in the manifest (atomically). A stage set to 'running' records this
   * run's config hash unless the patch names one, and commits the run first (on behalf of `stage`).
   */
  markStage(stage: string, patch: StagePatch): Promise<Manifest>;
  /** Records the compute backend this run uses (written at the commit). */
  recordBackend(name: string, detail: string): Promise<Manifest>;
  /**
   * Writes what opening deferred: the resolved config (when it changed, recording the change, with
   * `stage`, in the manifest), the manifest with this process's versions and backend. Call it only
   * once every check of the command has passed. Committing twice is harmless.
   */
  commit(stage?: string): Promise<void>;
  /**
   * Waits for pending manifest updates and releases the lock. A run never committed is left as it
   * was found: directories that opening created are removed. Closing twice is harmless.
   */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the run directory at `dirPath`. Fails with a UserError naming the
 * path and `run.dir` when it cannot be created or written, when another process holds it, or when
 * its manifest is unreadable.
 */
export async function openRunDir(dirPath: string, options: OpenRunDirOptions): Promise<RunDir> {
  const dir = path.resolve(dirPath);
  const hint = ` (config key ${RUN_DIR_KEY})`;

  // 1. Create it from its nearest existing parent, and make sure we can write to it.
  const created = await makeDirs(dir, { noun: 'run directory', hint });
  try {
    try {
      await fsp.access(dir, fsp.constants.W_OK);
    } catch (error) {
      throw fsUserError('write to run directory', dir, error, hint);
    }
    // 2. Lock it, then read its manifest; on any failure after locking, let go of the lock again.
    const lock = await acquireLock(dir);
    try {
      const existing = await readManifestIfExists(dir);
      return new OpenRunDir(dir, lock, options, existing, created);
    } catch (error) {
      await lock.release();
      throw error;
    }
  } catch (error) {
    await removeCreatedDirs(created);
    throw error;
  }
}

class OpenRunDir implements RunDir {
  /** Manifest updates run one after another: each is a read-modify-write of one file. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private committed = false;
  private backend: BackendRecord | undefined;

  readonly path: string;
  readonly configHash: string | undefined;

  constructor(
    dir: string,
    private readonly lock: RunLock,
    private readonly options: OpenRunDirOptions,
    /** The manifest found at open (undefined for a new run). */
    private readonly existing: Manifest | undefined,
    /** Directories opening created, shallowest first. */
    private readonly created: readonly string[],
  ) {
    this.path = dir;
    this.configHash = options.configHash;
  }

  file(rel: string): string {
    invariant(!path.isAbsolute(rel), `run-directory path must be relative, got ${rel}`);
    const abs = path.resolve(this.path, rel);
    const inside = path.relative(this.path, abs);
    invariant(!inside.startsWith('..') && !path.isAbsolute(inside), `run-directory path escapes the run: ${rel}`);
    return abs;
  }

  async ensureDir(rel: string): Promise<string> {
    const abs = this.file(rel);
    await this.commit();
    await makeDirs(abs, { noun: 'directory' });
    return abs;
  }

  manifest(): Promise<Manifest> {
    return this.serial(() => (this.committed ? readManifest(this.path) : Promise.resolve(this.pendingManifest())));
  }

  markStage(stage: string, patch: StagePatch): Promise<Manifest> {
    const withHash: StagePatch =
      patch.status === 'running' && patch.configHash === undefined && this.configHash !== undefined
        ? { ...patch, configHash: this.configHash }
        : patch;
    return this.serial(async () => {
      await this.commitNow(stage);
      return markStage(this.path, stage, withHash);
    });
  }

  recordBackend(name: string, detail: string): Promise<Manifest> {
    this.backend = { name, detail };
    return this.serial(async () => {
      if (!this.committed) return this.pendingManifest();
      const next: Manifest = { ...(await readManifest(this.path)), updatedAt: new Date().toISOString(), backend: { name, detail } };
      await writeManifest(this.path, next);
      return next;
    });
  }

  commit(stage?: string): Promise<void> {
    return this.serial(() => this.commitNow(stage));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.lock.release();
    if (!this.committed) await removeCreatedDirs(this.created);
  }

  /** The manifest a commit would write, without the config change record. */
  private pendingManifest(): Manifest {
    const base = this.existing ?? createManifest(this.options.runName ?? path.basename(this.path));
    return { ...base, nodeVersion: process.version, s3ganVersion: s3ganVersion(), backend: this.backend ?? base.backend };
  }

  private async commitNow(stage: string | undefined): Promise<void> {
    if (this.committed) return;
    // 1. The resolved config, written only when it differs from the one on disk.
    const configFile = path.join(this.path, RESOLVED_CONFIG_FILE);
    const previous = await readJsonIfExists(configFile);
    const changes = previous === undefined ? [] : configChanges(previous.value, this.options.resolvedConfig);
    if (previous === undefined || changes.length > 0) await writeJsonAtomic(configFile, asJson(this.options.resolvedConfig));

    // 2. The manifest: created, or updated when versions, backend or config changed.
    const time = new Date().toISOString();
    const pending = this.pendingManifest();
    const record = changes.length > 0 ? [{ time, ...(stage === undefined ? {} : { stage }), changes }] : [];
    const next: Manifest = { ...pending, updatedAt: time, configChanges: [...(pending.configChanges ?? []), ...record] };
    if (next.configChanges?.length === 0) delete next.configChanges;
    const same = this.existing !== undefined && record.length === 0 && JSON.stringify({ ...this.existing, updatedAt: '' }) === JSON.stringify({ ...next, updatedAt: '' });
    if (!same) await writeManifest(this.path, next);
    this.committed = true;
  }

  private async serial<T>(task: () => Promise<T>): Promise<T> {
    invariant(!this.closed, `run directory ${this.path} used after close()`);
    const run = this.queue.then(task);
    // A failed update is reported to its caller; the queue itself carries on.
    this.queue = run.catch(() => undefined);
    return await run;
  }
}

/**
 * The JSON in `file`, or undefined when it does not exist. An unparseable file counts as missing
 * here: the config being committed replaces it, and there is nothing to compare it with.
 */
async function readJsonIfExists(file: string): Promise<{ value: unknown } | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fsUserError('read', file, error);
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
