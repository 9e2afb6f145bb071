/**
 * GAN checkpoints: gan/checkpoints/step-<8 digits>/ holding
 *   generator/, generator-ema/, discriminator/   tfjs model directories (model.json + weights.bin)
 *   optimizer-g.bin, optimizer-d.bin (+ .json)    Adam moments, step count and bias corrections
 *   state.json                                    step, images seen, the noise Rng's state
 * and, for objectives that have them, each extra network as <name>/ and optimizer-<name>.bin (+ .json)
 * and the terms' state as objective-state.bin (+ .json). An objective without a discriminator (MvM)
 * has no discriminator/ and no optimizer-d. state.json lists the model directories and optimizer
 * files (`files`), so the integrity check knows what a whole checkpoint of any method holds.
 * Each checkpoint directory appears atomically (writeDirAtomic), so the newest complete one is
 * always loadable; only the newest `keep` are kept.
 */
import { readJsonFile } from '../../artifacts/json-file.js';
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { removeTempDirs, writeDirAtomic } from '../../artifacts/atomic-dir.js';
import { readModelArtifacts, writeModelDir } from '../../artifacts/model-files.js';
import { UserError, errorMessage } from '../../util/errors.js';
import type { RngState } from '../../util/rng.js';
import { refreshEmaGenerator, type GanTraining } from './setup.js';
import { checkpointName, listCheckpoints } from '../common/checkpoint-names.js';
import { loadOptimizerState, saveOptimizerState } from '../common/optimizer-state.js';
import { pendingMetricsSchema } from '../common/metric-window.js';
import { readObjectiveState, writeObjectiveState } from './objective/state-file.js';

const STATE_FILE = 'state.json';

const stateSchema = z.strictObject({
  version: z.literal(1),
  /** Generator updates done. */
  step: z.number().int().min(0),
  /** Real images the discriminator has seen (step × dSteps × batch); without D (MvM), those of the G steps (step × batch). */
  imagesSeen: z.number().int().min(0),
  /** Batches drawn from the training batches (its resume position). */
  batchesSeen: z.number().int().min(0),
  rngState: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  method: z.string(),
  /** Classes the conditional networks were built for (0 when unconditional). */
  numClasses: z.number().int().min(0),
  /** Names of those classes (index = label), for labelling sample grids; absent in older checkpoints. */
  classNames: z.array(z.string()).optional(),
  architecture: z.string(),
  /** The model directories and optimizer states (<name>.json + .bin) it holds; absent in older checkpoints (the S3GAN family's). */
  files: z.strictObject({ models: z.array(z.string()), optimizers: z.array(z.string()) }).optional(),
  /** gan.architecture=progan: the growth phase the last step trained in (training/gan/growth-schedule.ts); absent otherwise. */
  phase: z.number().int().min(0).optional(),
  /** Step quantities summed since the last metrics record (absent: none; see PendingMetrics). */
  pendingMetrics: pendingMetricsSchema.optional(),
  time: z.string(),
});

export type CheckpointState = Omit<z.infer<typeof stateSchema>, 'version' | 'time' | 'rngState' | 'files'> & { rngState: RngState };

/** The model directories and optimizer states of `training`'s checkpoints, in the order they are written. */
function checkpointFiles(training: GanTraining): { models: [string, tf.LayersModel][]; optimizers: [string, tf.Optimizer][] } {
  const { discriminator } = training.models;
  const models: [string, tf.LayersModel][] = [
    ['generator', training.models.generator],
    ['generator-ema', training.emaGenerator],
    ...(discriminator === undefined ? [] : [['discriminator', discriminator] as [string, tf.LayersModel]]),
    ...training.objective.networks.map((network) => [network.name, network.model] as [string, tf.LayersModel]),
  ];
  const optimizers: [string, tf.Optimizer][] = [
    ['optimizer-g', training.gOptimizer],
    ...(training.dOptimizer === undefined ? [] : [['optimizer-d', training.dOptimizer] as [string, tf.Optimizer]]),
    ...training.objective.networks.map((network) => [`optimizer-${network.name}`, network.optimizer] as [string, tf.Optimizer]),
  ];
  return { models, optimizers };
}

async function writeOptimizer(dir: string, name: string, optimizer: tf.Optimizer): Promise<void> {
  const state = await saveOptimizerState(optimizer);
  await writeFile(path.join(dir, `${name}.json`), JSON.stringify(state.specs));
  await writeFile(path.join(dir, `${name}.bin`), new Uint8Array(state.data));
}

async function readOptimizer(dir: string, name: string, optimizer: tf.Optimizer): Promise<void> {
  const specs = JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = await readFile(path.join(dir, `${name}.bin`));
  await loadOptimizerState(optimizer, { specs, data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) });
}

/** Writes checkpoint `state.step` into `dir` and removes all but the newest `keep`. */
export async function saveCheckpoint(dir: string, training: GanTraining, state: CheckpointState, keep: number): Promise<string> {
  const target = path.join(dir, checkpointName(state.step));
  refreshEmaGenerator(training);
  await removeTempDirs(dir);
  await writeDirAtomic(target, async (temp) => {
    const files = checkpointFiles(training);
    for (const [name, model] of files.models) {
      const modelDir = path.join(temp, name);
      await mkdir(modelDir);
      await writeModelDir(modelDir, model);
    }
    for (const [name, optimizer] of files.optimizers) await writeOptimizer(temp, name, optimizer);
    await writeObjectiveState(temp, training.objective);
    // Last, so a directory with state.json is complete even outside the atomic rename.
    const listed = { models: files.models.map(([name]) => name), optimizers: files.optimizers.map(([name]) => name) };
    const content: z.infer<typeof stateSchema> = { version: 1, ...state, rngState: [...state.rngState], files: listed, time: new Date().toISOString() };
    await writeFile(path.join(temp, STATE_FILE), JSON.stringify(content, null, 2));
  });
  const all = await listCheckpoints(dir);
  await Promise.all(all.slice(0, Math.max(0, all.length - keep)).map((old) => rm(old.path, { recursive: true, force: true })));
  return target;
}

/** Loads a model directory's weights into `model` by weight name; any mismatch is an error. */
async function loadWeightsInto(model: tf.LayersModel, dir: string): Promise<void> {
  const artifacts = await readModelArtifacts(dir);
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  try {
    model.loadWeights(weights, true);
  } catch (error) {
    throw new UserError(`checkpoint ${dir} does not fit the configured networks (was gan.architecture, gan.width or the method changed?): ${errorMessage(error)}`);
  } finally {
    tf.dispose(Object.values(weights));
  }
}

export async function readCheckpointState(checkpoint: string): Promise<CheckpointState> {
  const file = path.join(checkpoint, STATE_FILE);
  const { version: _version, time: _time, files: _files, ...state } = await readJsonFile(file, stateSchema, 'checkpoint state');
  return state;
}

/** The files of a GAN checkpoint, for checkpoint-integrity.ts: those its state.json lists, else the S3GAN family's. */
export const GAN_CHECKPOINT_LAYOUT = {
  models: ['generator', 'generator-ema', 'discriminator'],
  optimizers: ['optimizer-g', 'optimizer-d'],
  readState: readCheckpointState,
  async readFiles(checkpoint: string) {
    const { files } = await readJsonFile(path.join(checkpoint, STATE_FILE), stateSchema, 'checkpoint state');
    return files;
  },
} as const;

/** Restores `training` from a checkpoint directory; returns its state. */
export async function loadCheckpoint(checkpoint: string, training: GanTraining): Promise<CheckpointState> {
  const state = await readCheckpointState(checkpoint);
  await loadWeightsInto(training.models.generator, path.join(checkpoint, 'generator'));
  await loadWeightsInto(training.emaGenerator, path.join(checkpoint, 'generator-ema'));
  if (training.models.discriminator !== undefined) await loadWeightsInto(training.models.discriminator, path.join(checkpoint, 'discriminator'));
  for (const network of training.objective.networks) await loadWeightsInto(network.model, path.join(checkpoint, network.name));
  // The average continues from G-EMA's trainable weights.
  training.ema.load(training.emaGenerator.trainableWeights.map((w) => w.read()));
  try {
    await readOptimizer(checkpoint, 'optimizer-g', training.gOptimizer);
    if (training.dOptimizer !== undefined) await readOptimizer(checkpoint, 'optimizer-d', training.dOptimizer);
    for (const network of training.objective.networks) await readOptimizer(checkpoint, `optimizer-${network.name}`, network.optimizer);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot restore optimizer state from ${checkpoint}: ${errorMessage(error)}`);
  }
  await readObjectiveState(checkpoint, training.objective);
  return state;
}
