/**
 * manifest.json: the record of a run directory: which stages ran, with what outcome, which
 * artifacts they left, for which config (hash), on which backend and versions. Stages decide from
 * it whether to skip, resume or start afresh, so it is validated on every read and only ever
 * replaced atomically.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { errorMessage, UserError } from '../util/errors.js';
import { errorCode, fsUserError, writeJsonAtomic } from './atomic-write.js';
import { MANIFEST_FILE } from './run-layout.js';

/** Manifest format version; bumped when an old manifest can no longer be read as the new one. */
export const MANIFEST_VERSION = 1;

export const STAGE_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

const isoTime = z.iso.datetime({ offset: true });

export const stageRecordSchema = z.strictObject({
  status: z.enum(STAGE_STATUSES),
  /** When the stage last started, ISO 8601. */
  startedAt: isoTime.optional(),
  /** When the stage last finished (done or failed), ISO 8601. */
  finishedAt: isoTime.optional(),
  /** Files the stage produced, relative to the run directory, '/'-separated. */
  artifacts: z.array(z.string().min(1)),
  /** Hash of the resolved config the stage ran with; a different hash means its artifacts are outdated. */
  configHash: z.string().min(1).optional(),
  /** Why the stage failed (status 'failed' only). */
  error: z.string().optional(),
  /**
   * Content hashes ('sha256:<hex>') of the run's files the stage consumed, by path relative to the
   * run directory (e.g. the labels the GAN trains on): a changed file means the stage's checkpoints
   * no longer belong to it.
   */
  inputs: z.record(z.string().min(1), z.string().min(1)).optional(),
  /**
   * The run directory the stage's artifacts were copied from, relative to this one ('/'-separated),
   * when it was run once for several runs (an experiment's shared stages) rather than here.
   */
  reusedFrom: z.string().min(1).optional(),
});
export type StageRecord = z.infer<typeof stageRecordSchema>;

export const backendRecordSchema = z.strictObject({
  /** s3gan backend name, e.g. 'tensorflow-gpu' or 'cpu'. */
  name: z.string().min(1),
  /** Versions and devices, e.g. 'tfjs 4.22.0, pure JavaScript'. */
  detail: z.string(),
});
export type BackendRecord = z.infer<typeof backendRecordSchema>;

/** One change of the run's resolved config, recorded when a stage starts with the changed config. */
export const configChangeSchema = z.strictObject({
  time: isoTime,
  /** The stage that started with the new config (absent when none was named). */
  stage: z.string().min(1).optional(),
  /** Changed keys, dotted; `from` is absent for an added key, `to` for a removed one. */
  changes: z.array(z.strictObject({ key: z.string().min(1), from: z.unknown().optional(), to: z.unknown().optional() })).min(1),
});
export type ConfigChange = z.infer<typeof configChangeSchema>;

/** Stage names are kebab-case words ('pretrain', 'pseudo-label'), so they are safe as keys and folder names. */
const stageName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'stage names are kebab-case');

export const manifestSchema = z.strictObject({
  version: z.literal(MANIFEST_VERSION),
  runName: z.string().min(1),
  createdAt: isoTime,
  updatedAt: isoTime,
  s3ganVersion: z.string().min(1),
  /** s3gan and Node.js (process.version) versions of the latest process that opened the run. */
  nodeVersion: z.string().min(1),
  /** The compute backend of the latest run; null until one is chosen. */
  backend: backendRecordSchema.nullable(),
  stages: z.record(stageName, stageRecordSchema),
  /** Every change of resolved-config.json after the first stage started, oldest first. */
  configChanges: z.array(configChangeSchema).optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** The fields of a stage record a caller may change; `status` is always given. */
export type StagePatch = Partial<Omit<StageRecord, 'status'>> & { readonly status: StageStatus };

/**
 * The version of this s3gan package, read from its package.json (found by walking up from this
 * module, so it works from both src/ and dist/src/).
 */
export function s3ganVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 's3gan' && typeof pkg.version === 'string') return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** A new manifest with no stages and no backend yet. */
export function createManifest(runName: string, now: Date = new Date()): Manifest {
  const time = now.toISOString();
  return {
    version: MANIFEST_VERSION,
    runName,
    createdAt: time,
    updatedAt: time,
    s3ganVersion: s3ganVersion(),
    nodeVersion: process.version,
    backend: null,
    stages: {},
  };
}

/** Validates parsed manifest JSON; a mismatch is a UserError naming the file and the first bad field. */
export function parseManifest(value: unknown, file: string): Manifest {
  const result = manifestSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  throw new UserError(
    `manifest ${file} is corrupt or from an incompatible s3gan version: ${where}: ${issue.message}; ` +
      'fix it, or move it away to start the run directory afresh',
  );
}

/** Reads and validates `<runDir>/manifest.json`; undefined when the file does not exist. */
export async function readManifestIfExists(runDir: string): Promise<Manifest | undefined> {
  const file = path.resolve(runDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fsUserError('read', file, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `manifest ${file} is corrupt (not valid JSON: ${errorMessage(error)}); ` +
        'fix it, or move it away to start the run directory afresh',
    );
  }
  return parseManifest(value, file);
}

/** Reads and validates `<runDir>/manifest.json`; a missing file is a UserError. */
export async function readManifest(runDir: string): Promise<Manifest> {
  const manifest = await readManifestIfExists(runDir);
  if (manifest === undefined) {
    throw new UserError(`${path.resolve(runDir, MANIFEST_FILE)} does not exist: is ${runDir} a run directory?`);
  }
  return manifest;
}

/** Writes the manifest atomically, after validating it (a bad manifest must never reach disk). */
export async function writeManifest(runDir: string, manifest: Manifest): Promise<void> {
  await writeJsonAtomic(path.resolve(runDir, MANIFEST_FILE), manifestSchema.parse(manifest));
}

/**
 * A stage record with `patch` applied (pure). Starting a stage stamps `startedAt` and clears the
 * previous outcome; finishing one (done/failed) stamps `finishedAt`. Explicit patch fields win.
 */
export function applyStagePatch(
  previous: StageRecord | undefined,
  patch: StagePatch,
  now: Date = new Date(),
): StageRecord {
  const time = now.toISOString();
  const base: StageRecord = previous ?? { status: 'pending', artifacts: [] };
  const next: StageRecord = { ...base };
  if (patch.status === 'running') {
    next.startedAt = time;
    delete next.finishedAt;
    delete next.error;
    // A stage that runs here is no longer the copy of another run's.
    delete next.reusedFrom;
  } else if (patch.status === 'done' || patch.status === 'failed') {
    next.finishedAt = time;
    if (patch.status === 'done') delete next.error;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (next as Record<string, unknown>)[key] = value;
  }
  return next;
}

/** The manifest with stage `stage` patched and `updatedAt` refreshed (pure). */
export function withStage(manifest: Manifest, stage: string, patch: StagePatch, now: Date = new Date()): Manifest {
  return {
    ...manifest,
    updatedAt: now.toISOString(),
    stages: { ...manifest.stages, [stage]: applyStagePatch(manifest.stages[stage], patch, now) },
  };
}

/**
 * Reads the manifest of `runDir`, patches stage `stage` and writes it back atomically; returns the
 * new manifest. Callers in one process must not run two of these at once on one directory
 * (RunDir serialises them); other processes are kept out by the run-directory lock.
 */
export async function markStage(runDir: string, stage: string, patch: StagePatch): Promise<Manifest> {
  const next = withStage(await readManifest(runDir), stage, patch);
  await writeManifest(runDir, next);
  return next;
}

/** Reads the manifest of `runDir`, records the backend and writes it back atomically. */
export async function recordBackend(runDir: string, backend: BackendRecord): Promise<Manifest> {
  const manifest = await readManifest(runDir);
  const next: Manifest = { ...manifest, updatedAt: new Date().toISOString(), backend: { ...backend } };
  await writeManifest(runDir, next);
  return next;
}
