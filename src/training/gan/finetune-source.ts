/**
 * The source of a fine-tuning (docs/ALGORITHMS.md § Fine-tuning): a GAN checkpoint, given as a run
 * directory (its newest whole checkpoint) or as one checkpoint directory. What it is (architecture,
 * image size, channels, width, classes) is read from the checkpoint and, where the checkpoint sits
 * in a run, from that run's resolved config; its weights are fingerprinted so that a run
 * fine-tuned from it notices when the source changes under it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MODEL_JSON, WEIGHTS_BIN } from '../../artifacts/model-files.js';
import { GAN_CHECKPOINTS_DIR, RESOLVED_CONFIG_FILE, runPath } from '../../artifacts/run-layout.js';
import type { Config } from '../../config/schema.js';
import { UserError } from '../../util/errors.js';
import { newestIntactCheckpoint } from '../common/checkpoint-integrity.js';
import { GAN_CHECKPOINT_LAYOUT, readCheckpointState, type CheckpointState } from './checkpoint.js';

/** The model directories of a GAN checkpoint that a fine-tuning reads. */
export const SOURCE_MODELS = ['generator', 'generator-ema', 'discriminator'] as const;

export interface FinetuneSource {
  /** What the user gave (a run or checkpoint directory). */
  readonly given: string;
  /** The checkpoint directory read (absolute). */
  readonly checkpoint: string;
  readonly state: CheckpointState;
  /** sha256 of the weights of its generator, generator-ema and discriminator, in that order. */
  readonly weightsHash: string;
  /** [imageSize, channels] of the images its discriminator reads (absent without a D). */
  readonly geometry: { readonly imageSize: number; readonly channels: number } | undefined;
  /** gan.width and gan.zDim of the run it was trained in, when its resolved config is at hand. */
  readonly gan: { readonly width?: number; readonly zDim?: number } | undefined;
}

/** The run directory holding checkpoint `dir` (…/gan/checkpoints/step-N), if it is one. */
function runOfCheckpoint(dir: string): string | undefined {
  const run = path.resolve(dir, '..', '..', '..');
  return existsSync(runPath(run, RESOLVED_CONFIG_FILE)) ? run : undefined;
}

/** Reads the source `given` (the value of `key`, e.g. finetune.from); a directory holding no GAN checkpoint is a UserError. */
export async function readFinetuneSource(given: string, key = 'finetune.from'): Promise<FinetuneSource> {
  let checkpoint: string;
  let runDir: string | undefined;
  if (existsSync(runPath(given, GAN_CHECKPOINTS_DIR))) {
    const newest = await newestIntactCheckpoint(runPath(given, GAN_CHECKPOINTS_DIR), GAN_CHECKPOINT_LAYOUT, { log: () => undefined, stage: 'the source GAN' });
    if (newest === undefined) throw new UserError(`${key}: ${given} has no GAN checkpoint to start from (train it first)`);
    checkpoint = path.resolve(newest.path);
    runDir = path.resolve(given);
  } else if (existsSync(path.join(given, 'state.json')) && existsSync(path.join(given, 'generator', MODEL_JSON))) {
    checkpoint = path.resolve(given);
    runDir = runOfCheckpoint(checkpoint);
  } else {
    throw new UserError(`${key}: ${given} is neither a run directory with ${GAN_CHECKPOINTS_DIR}/ nor a GAN checkpoint directory (with state.json)`);
  }
  const state = await readCheckpointState(checkpoint);
  return { given, checkpoint, state, weightsHash: await weightsHash(checkpoint), geometry: await discriminatorGeometry(checkpoint), gan: await runGan(runDir) };
}

/** Content hash of the source's weights: what a fine-tuned run records and compares on resume. */
async function weightsHash(checkpoint: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of SOURCE_MODELS) {
    const file = path.join(checkpoint, name, WEIGHTS_BIN);
    if (existsSync(file)) hash.update(name).update(await readFile(file));
  }
  return `sha256:${hash.digest('hex')}`;
}

/** The image size and channels of D's input x, from its saved topology. */
async function discriminatorGeometry(checkpoint: string): Promise<FinetuneSource['geometry']> {
  const file = path.join(checkpoint, 'discriminator', MODEL_JSON);
  if (!existsSync(file)) return undefined;
  type Layer = { class_name: string; config: { name?: string; batch_input_shape?: (number | null)[] } };
  const json = JSON.parse(await readFile(file, 'utf8')) as { modelTopology?: { config?: { layers?: Layer[] } } };
  const input = json.modelTopology?.config?.layers?.find((layer) => layer.class_name === 'InputLayer' && layer.config.name === 'x');
  const shape = input?.config.batch_input_shape;
  if (shape === undefined || shape.length !== 4) return undefined;
  return { imageSize: shape[1] as number, channels: shape[3] as number };
}

/** gan.width and gan.zDim of the source's run, as its resolved config records them. */
async function runGan(runDir: string | undefined): Promise<FinetuneSource['gan']> {
  if (runDir === undefined) return undefined;
  try {
    const raw = JSON.parse(await readFile(runPath(runDir, RESOLVED_CONFIG_FILE), 'utf8')) as { gan?: { width?: number; zDim?: number } };
    return { width: raw.gan?.width, zDim: raw.gan?.zDim };
  } catch {
    return undefined;
  }
}

/**
 * Refuses a source whose networks cannot become the configured ones: another architecture, width,
 * z dimension, image size or channel count (one line naming both values; nothing is adapted). A
 * different class count is no refusal: its class-dependent weights start fresh (finetune-weights.ts).
 */
export function checkSourceFits(source: FinetuneSource, config: Config, channels: number, key = 'finetune.from'): void {
  const where = `${key}: ${source.checkpoint}`;
  const differ = (what: string, theirs: unknown, ours: unknown) =>
    new UserError(`${where} has ${what} ${String(theirs)}, the target config ${String(ours)}: a source must match it (train a source at ${String(ours)}, or configure ${String(theirs)})`);
  if (source.state.architecture !== config.gan.architecture) throw differ('gan.architecture', source.state.architecture, config.gan.architecture);
  if (source.geometry !== undefined) {
    if (source.geometry.channels !== channels) throw differ('image channels', source.geometry.channels, channels);
    if (source.geometry.imageSize !== config.data.imageSize) throw differ('data.imageSize', source.geometry.imageSize, config.data.imageSize);
  }
  if (source.gan?.width !== undefined && source.gan.width !== config.gan.width) throw differ('gan.width', source.gan.width, config.gan.width);
  if (source.gan?.zDim !== undefined && source.gan.zDim !== config.gan.zDim) throw differ('gan.zDim', source.gan.zDim, config.gan.zDim);
}
