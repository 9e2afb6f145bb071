/**
 * `loadGenerator(dir)` and `sample(generator, options)`: a trained generator from code. `dir` is a
 * run directory (its newest checkpoint, or `step`; G or, with `ema`, its weight average), a run's
 * `gan/export` folder, or one export directory (model.json beside generator.json). Samples come from
 * the same seeded noise as `s3gan sample --seed`.
 */
import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '../artifacts/json-file.js';
import { MODEL_JSON, readModelDir } from '../artifacts/model-files.js';
import { describeBackend, selectBackend, type BackendRequest } from '../backend/select.js';
import { balancedClasses, generatorShape } from '../eval/generate.js';
import '../nn/layers/index.js';
import { findCheckpoint } from '../stages/eval-stage.js';
import { readCheckpointState } from '../training/gan/checkpoint.js';
import { GENERATOR_INFO_FILE } from '../training/gan/export-page.js';
import { generateImages } from '../training/gan/samples.js';
import { UserError } from '../util/errors.js';
import { GAN_CHECKPOINTS_DIR, GAN_EXPORT_DIR } from '../artifacts/run-layout.js';

export interface LoadGeneratorOptions {
  /** From a run directory: the weight average G-EMA (as evaluations report) instead of G. Default false. */
  readonly ema?: boolean;
  /** From a run directory: the checkpoint of this generator step instead of the newest. */
  readonly step?: number;
  /** Chooses the compute backend first (as backend.name); default: leave TensorFlow.js's current one. */
  readonly backend?: BackendRequest;
  /** CPU threads for the native kernels of `backend` (0 = all cores). */
  readonly threads?: number;
  /** Lines for people (the backend chosen). Default: none. */
  readonly log?: (line: string) => void;
}

/** A loaded generator and what it makes. Call dispose() when done. */
export interface Generator {
  /** The TensorFlow.js model: z [batch, zDim] (and y [batch, 1] int32 when conditional) → [batch, imageSize, imageSize, channels] in [−1, 1]. */
  readonly model: tf.LayersModel;
  readonly conditional: boolean;
  /** Classes y may take (0 when unconditional). */
  readonly numClasses: number;
  /** Name of each class (index = y); empty when unconditional. */
  readonly classNames: readonly string[];
  readonly zDim: number;
  readonly imageSize: number;
  readonly channels: number;
  /** The generator step of the checkpoint (null for an export, which does not record it). */
  readonly step: number | null;
  /** The model directory it was loaded from. */
  readonly source: string;
  dispose(): void;
}

const generatorInfoSchema = z.object({ numClasses: z.number().int().min(0), classNames: z.array(z.string()) });

/** Loads the generator in `dir`; see LoadGeneratorOptions. A directory that holds none is a UserError. */
export async function loadGenerator(dir: string, options: LoadGeneratorOptions = {}): Promise<Generator> {
  const kind = options.ema === true ? 'generator-ema' : 'generator';
  let modelDir: string;
  let step: number | null = null;
  let classes: { numClasses: number; classNames?: readonly string[] };
  if (existsSync(path.join(dir, GAN_CHECKPOINTS_DIR))) {
    const checkpoint = await findCheckpoint(path.resolve(dir, GAN_CHECKPOINTS_DIR), dir, options.step);
    const state = await readCheckpointState(checkpoint.path);
    modelDir = path.join(checkpoint.path, kind);
    step = state.step;
    classes = state;
  } else {
    // An export: one directory, or the folder holding both (a run's gan/export).
    modelDir = existsSync(path.join(dir, MODEL_JSON)) ? dir : path.join(dir, kind);
    const info = path.join(modelDir, GENERATOR_INFO_FILE);
    if (!existsSync(path.join(modelDir, MODEL_JSON)) || !existsSync(info)) {
      throw new UserError(`${dir}: no generator here: expected a run directory (with ${GAN_CHECKPOINTS_DIR}/), its ${GAN_EXPORT_DIR} folder, or an export directory (with ${MODEL_JSON} and ${GENERATOR_INFO_FILE})`);
    }
    if (options.step !== undefined) throw new UserError(`step ${options.step}: ${dir} is an export, which holds one generator; give a run directory to choose a checkpoint`);
    classes = await readJsonFile(info, generatorInfoSchema, 'generator info');
  }
  if (options.backend !== undefined) {
    const log = options.log ?? (() => undefined);
    log(describeBackend(await selectBackend(options.backend, undefined, log, { threads: options.threads })));
  }
  const model = await readModelDir(modelDir);
  const shape = generatorShape(model);
  const numClasses = shape.conditional ? classes.numClasses : 0;
  const classNames = shape.conditional ? (classes.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i))) : [];
  return { model, ...shape, numClasses, classNames, step, source: path.resolve(modelDir), dispose: () => model.dispose() };
}

export interface SampleOptions {
  /**
   * Class of the images: one class for all `n`, or one per image (then `n` may be left out).
   * Default: image i has class i mod numClasses. Unconditional generators take none.
   */
  readonly classes?: number | readonly number[];
  /** Number of images (≥ 1); required unless `classes` lists one per image. */
  readonly n?: number;
  /** Noise seed (default 0): the same seed, classes and generator give the same images. */
  readonly seed?: number;
}

/** Generated images as 8-bit pixels, NHWC, with the class of each. */
export interface Samples {
  /** [n, imageSize, imageSize, channels] uint8, row-major, image after image. */
  readonly pixels: Uint8Array;
  readonly shape: [n: number, height: number, width: number, channels: number];
  /** The class each image was generated for (all 0 when unconditional). */
  readonly labels: Int32Array;
}

/**
 * Generates images with `generator` in inference mode from seeded noise. Pixels rather than
 * tensors: nothing to dispose, and they go straight to imageGrid / writeGridImage or an image
 * library (tf.tensor4d(pixels, shape) gives a tensor back).
 */
export function sample(generator: Generator, options: SampleOptions): Samples {
  const labels = sampleLabels(generator, options);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new UserError(`seed: expected an integer ≥ 0, got ${String(seed)}`);
  const { pixels, shape } = generateImages(generator.model, { classes: labels, zDim: generator.zDim, conditional: generator.conditional, seed });
  return { pixels, shape, labels };
}

/** The class of each image `options` asks for, checked against the generator. */
function sampleLabels(generator: Generator, options: SampleOptions): Int32Array {
  const { classes, n } = options;
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) throw new UserError(`n: expected an integer ≥ 1, got ${String(n)}`);
  let list: readonly number[];
  if (typeof classes === 'object') {
    if (n !== undefined && n !== classes.length) throw new UserError(`n is ${n} but classes lists ${classes.length} classes (one per image)`);
    if (classes.length === 0) throw new UserError('classes: the list is empty');
    list = classes;
  } else {
    if (n === undefined) throw new UserError('n: how many images? (or list one class per image in classes)');
    if (classes === undefined) return balancedClasses(n, generator.numClasses);
    list = Array<number>(n).fill(classes);
  }
  if (!generator.conditional) throw new UserError(`classes: ${generator.source} is an unconditional generator`);
  for (const k of list) {
    if (!(Number.isInteger(k) && k >= 0 && k < generator.numClasses)) throw new UserError(`classes: ${String(k)} is not a class of this generator (0..${generator.numClasses - 1})`);
  }
  return Int32Array.from(list);
}
