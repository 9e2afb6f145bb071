/**
 * Choosing the checkpoint to resume from. Checkpoint directories appear atomically, but a disk
 * can still lose or truncate files afterwards (a full disk, a copy cut short, a hand edit). A
 * damaged checkpoint — state.json missing or invalid, a model.json unreadable, weights or optimizer
 * bytes not matching their manifest — is skipped, with a line saying why, and the newest whole one
 * is used. Only the files are checked here: whether a whole checkpoint fits the configured networks
 * is decided when it is loaded, and a misfit stays an error (the config changed, not the disk).
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { MODEL_JSON } from '../../artifacts/model-files.js';
import { UserError, errorMessage } from '../../util/errors.js';
import { listCheckpoints } from './checkpoint-names.js';

/** What a checkpoint directory of one kind holds. */
export interface CheckpointLayout {
  /** Model sub-directories, each model.json + the weight files its manifest names. */
  readonly models: readonly string[];
  /** Optimizer states, each <name>.json (weight specs) + <name>.bin. */
  readonly optimizers: readonly string[];
  /** Reads and validates the checkpoint's state file; throws when it is missing or malformed. */
  readonly readState: (checkpoint: string) => Promise<unknown>;
  /**
   * The models and optimizers the checkpoint's own state file lists, when it lists them (their
   * set depends on the method, e.g. MvM's metric network and no discriminator); else `models`
   * and `optimizers` above.
   */
  readonly readFiles?: (checkpoint: string) => Promise<{ readonly models: readonly string[]; readonly optimizers: readonly string[] } | undefined>;
}

/** Bytes per element of a weight dtype as tf.io.encodeWeights writes it. */
function bytesPerElement(dtype: tf.io.WeightsManifestEntry['dtype']): number {
  return dtype === 'bool' ? 1 : 4;
}

function specBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1) * bytesPerElement(spec.dtype), 0);
}

async function fileBytes(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    throw new Error(`cannot read ${file}: ${errorMessage(error)}`);
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${errorMessage(error)}`);
  }
}

async function checkModelDir(dir: string): Promise<void> {
  const jsonPath = path.join(dir, MODEL_JSON);
  const json = (await readJson(jsonPath)) as { modelTopology?: unknown; weightsManifest?: { paths?: unknown; weights?: unknown }[] } | null;
  const manifest = json?.weightsManifest;
  if (json?.modelTopology == null || !Array.isArray(manifest)) throw new Error(`${jsonPath} has no model topology or weights manifest`);
  let bytes = 0;
  for (const group of manifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new Error(`${jsonPath}: malformed weights manifest`);
    for (const file of group.paths as string[]) bytes += await fileBytes(path.join(dir, file));
  }
  const expected = specBytes(manifest.flatMap((group) => group.weights as tf.io.WeightsManifestEntry[]));
  if (bytes !== expected) throw new Error(`the weights of ${dir} hold ${bytes} bytes, its model.json needs ${expected} (truncated or overwritten)`);
}

async function checkOptimizer(checkpoint: string, name: string): Promise<void> {
  const specs = await readJson(path.join(checkpoint, `${name}.json`));
  if (!Array.isArray(specs)) throw new Error(`${path.join(checkpoint, `${name}.json`)} is not a list of weight specs`);
  const file = path.join(checkpoint, `${name}.bin`);
  const bytes = await fileBytes(file);
  const expected = specBytes(specs as tf.io.WeightsManifestEntry[]);
  if (bytes !== expected) throw new Error(`${file} holds ${bytes} bytes, ${name}.json needs ${expected} (truncated or overwritten)`);
}

/** Why `checkpoint` cannot be resumed from, or undefined when its files are whole. */
export async function checkpointDamage(checkpoint: string, layout: CheckpointLayout): Promise<string | undefined> {
  try {
    await layout.readState(checkpoint);
    const files = (await layout.readFiles?.(checkpoint)) ?? layout;
    for (const model of files.models) await checkModelDir(path.join(checkpoint, model));
    for (const name of files.optimizers) await checkOptimizer(checkpoint, name);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

/**
 * The newest whole checkpoint in `dir` (undefined when there is none at all). Each damaged newer
 * one is reported through `log` with the reason; when every checkpoint is damaged, a UserError
 * names the remedy. `stage` names the stage in that message ("the GAN stage").
 */
export async function newestIntactCheckpoint(
  dir: string,
  layout: CheckpointLayout,
  options: { readonly log: (line: string) => void; readonly stage: string },
): Promise<{ step: number; path: string } | undefined> {
  const all = await listCheckpoints(dir);
  let newestDamage: string | undefined;
  for (const checkpoint of [...all].reverse()) {
    const damage = await checkpointDamage(checkpoint.path, layout);
    if (damage === undefined) {
      if (newestDamage !== undefined) options.log(`resuming from ${checkpoint.path}, the newest intact checkpoint`);
      return checkpoint;
    }
    options.log(`skipping damaged checkpoint ${checkpoint.path}: ${damage}`);
    newestDamage ??= damage;
  }
  if (newestDamage === undefined) return undefined;
  throw new UserError(
    `every checkpoint in ${dir} is damaged (the newest: ${newestDamage}); to start ${options.stage} over, delete the directory ${dir}, or use a new run.dir`,
  );
}
