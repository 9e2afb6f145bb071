/**
 * A run directory: the one place a run's stages leave their artifacts and read each other's.
 * Opening one creates it, checks it can be written, locks it against a second process, saves the
 * resolved config and makes sure a manifest exists. An existing manifest is kept, so running the
 * same command again resumes the run instead of starting over.
 *
 *     <run.dir>/
 *       resolved-config.json   the full config after defaults, presets and overrides
 *       manifest.json          stages, their artifacts and config hashes, backend, versions
 *       pretrain/              rotation network checkpoint, probe accuracies
 *       labels/                labelled subset, pseudo-labels, label accuracy
 *       gan/checkpoints/       generator, EMA, discriminator, optimizer and RNG states
 *       gan/samples/           PNG grids, one row per class
 *       metrics.jsonl          one JSON object per logged step
 *       eval/                  metric results, plots
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { invariant, UserError } from '../util/errors.js';
import { fsUserError, writeJsonAtomic } from './atomic-write.js';
import { acquireLock, type RunLock } from './lock.js';
import {
  createManifest,
  MANIFEST_FILE,
  readManifest,
  readManifestIfExists,
  recordBackend,
  markStage,
  s3ganVersion,
  writeManifest,
  type Manifest,
  type StagePatch,
} from './manifest.js';

/** The resolved config of the latest open, as JSON. */
export const RESOLVED_CONFIG_FILE = 'resolved-config.json';
/** Re-exported so that every layout name can be imported from here. */
export { MANIFEST_FILE };
/** Stage 1 (rotation pretraining) artifacts. */
export const PRETRAIN_DIR = 'pretrain';
/** Stage 2 (pseudo-labelling) artifacts. */
export const LABELS_DIR = 'labels';
/** Stage 3 (GAN training) checkpoints. */
export const GAN_CHECKPOINTS_DIR = 'gan/checkpoints';
/** Stage 3 sample grids. */
export const GAN_SAMPLES_DIR = 'gan/samples';
/** Training metrics, one JSON object per line. */
export const METRICS_FILE = 'metrics.jsonl';
/** Evaluation results and plots. */
export const EVAL_DIR = 'eval';

/** The config key users set to choose the run directory; named in every error about it. */
const RUN_DIR_KEY = 'run.dir';

export interface OpenRunDirOptions {
  /** The fully resolved config (defaults, presets and overrides applied), saved as resolved-config.json. */
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
  /** Creates directory `rel` (and its parents) inside the run directory; returns its absolute path. */
  ensureDir(rel: string): Promise<string>;
  /** The current manifest, read and validated from disk. */
  manifest(): Promise<Manifest>;
  /**
   * Updates stage `stage` in the manifest (atomically). A stage set to 'running' records this
   * run's config hash unless the patch names one.
   */
  markStage(stage: string, patch: StagePatch): Promise<Manifest>;
  /** Records the compute backend this run uses. */
  recordBackend(name: string, detail: string): Promise<Manifest>;
  /** Waits for pending manifest updates and releases the lock. Closing twice is harmless. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the run directory at `dirPath`. Fails with a UserError naming the
 * path and `run.dir` when it cannot be created or written, or when another process holds it.
 */
export async function openRunDir(dirPath: string, options: OpenRunDirOptions): Promise<RunDir> {
  const dir = path.resolve(dirPath);
  const hint = ` (config key ${RUN_DIR_KEY})`;

  // 1. Create it, and make sure it is a directory we can write to.
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (error) {
    // EEXIST here means a file (not a directory) is in the way; the check below names it.
    if ((error as { code?: unknown }).code !== 'EEXIST') throw fsUserError('create run directory', dir, error, hint);
  }
  const stats = await fsp.stat(dir).catch((error: unknown) => {
    throw fsUserError('use run directory', dir, error, hint);
  });
  if (!stats.isDirectory()) throw new UserError(`run directory ${dir} exists but is not a directory${hint}`);
  try {
    await fsp.access(dir, fsp.constants.W_OK);
  } catch (error) {
    throw fsUserError('write to run directory', dir, error, hint);
  }

  // 2. Lock it, then write; on any failure after locking, let go of the lock again.
  const lock = await acquireLock(dir);
  try {
    await writeJsonAtomic(path.join(dir, RESOLVED_CONFIG_FILE), options.resolvedConfig);
    const existing = await readManifestIfExists(dir);
    if (existing === undefined) {
      await writeManifest(dir, createManifest(options.runName ?? path.basename(dir)));
    } else if (existing.nodeVersion !== process.version || existing.s3ganVersion !== s3ganVersion()) {
      await writeManifest(dir, {
        ...existing,
        nodeVersion: process.version,
        s3ganVersion: s3ganVersion(),
        updatedAt: new Date().toISOString(),
      });
    }
  } catch (error) {
    await lock.release();
    throw error;
  }
  return new OpenRunDir(dir, lock, options.configHash);
}

class OpenRunDir implements RunDir {
  /** Manifest updates run one after another: each is a read-modify-write of one file. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  readonly path: string;

  constructor(
    dir: string,
    private readonly lock: RunLock,
    readonly configHash: string | undefined,
  ) {
    this.path = dir;
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
    try {
      await fsp.mkdir(abs, { recursive: true });
    } catch (error) {
      throw fsUserError('create directory', abs, error);
    }
    return abs;
  }

  manifest(): Promise<Manifest> {
    return this.serial(() => readManifest(this.path));
  }

  markStage(stage: string, patch: StagePatch): Promise<Manifest> {
    const withHash: StagePatch =
      patch.status === 'running' && patch.configHash === undefined && this.configHash !== undefined
        ? { ...patch, configHash: this.configHash }
        : patch;
    return this.serial(() => markStage(this.path, stage, withHash));
  }

  recordBackend(name: string, detail: string): Promise<Manifest> {
    return this.serial(() => recordBackend(this.path, { name, detail }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.lock.release();
  }

  private async serial<T>(task: () => Promise<T>): Promise<T> {
    invariant(!this.closed, `run directory ${this.path} used after close()`);
    const run = this.queue.then(task);
    // A failed update is reported to its caller; the queue itself carries on.
    this.queue = run.catch(() => undefined);
    return await run;
  }
}
