/**
 * Rotation-pretraining checkpoints: pretrain/checkpoints/step-<8 digits>/ holding
 *   encoder/                       tfjs model directory (model.json + weights.bin, batch-norm statistics included)
 *   optimizer.bin (+ .json)        Adam moments, step count and bias corrections
 *   state.json                     step, images seen, the position in the training batches, the resume key
 * Each directory appears atomically (writeDirAtomic) and only the newest `keep` are kept, as for the
 * GAN's checkpoints (checkpoint.ts, whose naming and listing this reuses).
 */
import { readJsonFile } from '../../artifacts/json-file.js';
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { removeTempDirs, writeDirAtomic } from '../../artifacts/atomic-dir.js';
import { readModelArtifacts, writeModelDir } from '../../artifacts/model-files.js';
import { errorMessage, UserError } from '../../util/errors.js';
import { checkpointName, listCheckpoints } from '../common/checkpoint-names.js';
import { loadOptimizerState, saveOptimizerState } from '../common/optimizer-state.js';
import { pendingMetricsSchema } from '../common/metric-window.js';

export { listCheckpoints };

const STATE_FILE = 'state.json';
const ENCODER_DIR = 'encoder';
const OPTIMIZER_NAME = 'optimizer';

const stateSchema = z.strictObject({
  version: z.literal(1),
  /** Optimizer updates done. */
  step: z.number().int().min(0),
  /** Training images drawn (step × batchSize; each was shown at four rotations). */
  imagesSeen: z.number().int().min(0),
  /** Batches drawn from the training batches (its resume position). */
  batchesSeen: z.number().int().min(0),
  /** Seconds spent training up to this checkpoint, over all resumed runs. */
  trainSeconds: z.number().min(0),
  /**
   * Hash of the settings a resumed run must share with this checkpoint (seed, data, encoder shape,
   * batch size, held-out fraction); the learning rate and step count may change between runs.
   */
  resumeKey: z.string().min(1),
  /** Step quantities summed since the last metrics record (absent: none; see PendingMetrics). */
  pendingMetrics: pendingMetricsSchema.optional(),
  time: z.string(),
});

export type PretrainCheckpointState = Omit<z.infer<typeof stateSchema>, 'version' | 'time'>;

/** Writes checkpoint `state.step` into `dir` and removes all but the newest `keep`; returns its path. */
export async function savePretrainCheckpoint(
  dir: string,
  encoder: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: PretrainCheckpointState,
  keep: number,
): Promise<string> {
  const target = path.join(dir, checkpointName(state.step));
  await removeTempDirs(dir);
  await writeDirAtomic(target, async (temp) => {
    await mkdir(path.join(temp, ENCODER_DIR));
    await writeModelDir(path.join(temp, ENCODER_DIR), encoder);
    const optimizerState = await saveOptimizerState(optimizer);
    await writeFile(path.join(temp, `${OPTIMIZER_NAME}.json`), JSON.stringify(optimizerState.specs));
    await writeFile(path.join(temp, `${OPTIMIZER_NAME}.bin`), new Uint8Array(optimizerState.data));
    // Last, so a directory with state.json is complete even outside the atomic rename.
    const content: z.infer<typeof stateSchema> = { version: 1, ...state, time: new Date().toISOString() };
    await writeFile(path.join(temp, STATE_FILE), JSON.stringify(content, null, 2));
  });
  const all = await listCheckpoints(dir);
  await Promise.all(all.slice(0, Math.max(0, all.length - keep)).map((old) => rm(old.path, { recursive: true, force: true })));
  return target;
}

export async function readPretrainCheckpointState(checkpoint: string): Promise<PretrainCheckpointState> {
  const file = path.join(checkpoint, STATE_FILE);
  const { version: _version, time: _time, ...state } = await readJsonFile(file, stateSchema, 'checkpoint state');
  return state;
}

/** The files of a pretraining checkpoint, for checkpoint-integrity.ts. */
export const PRETRAIN_CHECKPOINT_LAYOUT = {
  models: [ENCODER_DIR],
  optimizers: [OPTIMIZER_NAME],
  readState: readPretrainCheckpointState,
} as const;

/**
 * Restores `encoder` (all weights, by name, batch-norm statistics included) and `optimizer` from a
 * checkpoint directory; returns its state. A checkpoint that does not fit is a UserError.
 */
export async function loadPretrainCheckpoint(checkpoint: string, encoder: tf.LayersModel, optimizer: tf.Optimizer): Promise<PretrainCheckpointState> {
  const state = await readPretrainCheckpointState(checkpoint);
  const modelDir = path.join(checkpoint, ENCODER_DIR);
  const artifacts = await readModelArtifacts(modelDir);
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  try {
    encoder.loadWeights(weights, true);
  } catch (error) {
    throw new UserError(`checkpoint ${modelDir} does not fit the configured encoder (was pretrain.architecture or pretrain.width changed?): ${errorMessage(error)}`);
  } finally {
    tf.dispose(Object.values(weights));
  }
  try {
    const specs = JSON.parse(await readFile(path.join(checkpoint, `${OPTIMIZER_NAME}.json`), 'utf8')) as tf.io.WeightsManifestEntry[];
    const bytes = await readFile(path.join(checkpoint, `${OPTIMIZER_NAME}.bin`));
    await loadOptimizerState(optimizer, { specs, data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) });
  } catch (error) {
    throw new UserError(`cannot restore optimizer state from ${checkpoint}: ${errorMessage(error)}`);
  }
  return state;
}
