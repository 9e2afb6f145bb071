/**
 * Generated images for people to look at: a grid with one row per class, labelled with the class
 * name (conditional generators), or plain rows (unconditional), from a fixed noise stream so that grids of successive steps show
 * the same z and can be compared.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { imageGrid, writeGridPng, type Grid } from '../../artifacts/image-grid.js';
import { symmetricToPixels } from '../../data/transforms.js';
import { Rng } from '../../util/rng.js';
import { checkpointName } from '../common/checkpoint-names.js';
import { normalSamples } from './noise.js';

/** Rng stream of sample-grid noise (training noise uses another stream of the same seed). */
export const SAMPLE_NOISE_STREAM = 7;

/** The sample grid of generator step `step` in directory `dir` (gan/samples/step-00000500.png). */
export function sampleGridPath(dir: string, step: number): string {
  return path.join(dir, `${checkpointName(step)}.png`);
}

/**
 * The grid of a growing generator's last step at `resolution` (gan/samples/resolution-16x16.png):
 * one per resolution of the growth, the images upsampled (nearest) to the data size.
 */
export function resolutionGridPath(dir: string, resolution: number): string {
  return path.join(dir, `resolution-${resolution}x${resolution}.png`);
}

/** Images generated at once; bounds memory for large requests. */
const SAMPLE_CHUNK = 256;

export interface SampleRequest {
  /** Requested class of each image (ignored by unconditional generators). */
  readonly classes: Int32Array;
  readonly zDim: number;
  readonly conditional: boolean;
  readonly seed: number;
}

/**
 * Runs `generator` in inference mode (batch-norm moving statistics) on seeded noise: pixels
 * [n, s, s, c] uint8 in request order, and their shape.
 */
export function generateImages(generator: tf.LayersModel, request: SampleRequest): { pixels: Uint8Array; shape: [number, number, number, number] } {
  const n = request.classes.length;
  const rng = new Rng(request.seed, SAMPLE_NOISE_STREAM);
  const chunks: Uint8Array[] = [];
  let shape: [number, number, number, number] = [0, 0, 0, 0];
  for (let start = 0; start < n; start += SAMPLE_CHUNK) {
    const count = Math.min(SAMPLE_CHUNK, n - start);
    const z = normalSamples(rng, count * request.zDim);
    const pixels = tf.tidy(() => {
      const zTensor = tf.tensor2d(z, [count, request.zDim]);
      const y = tf.tensor2d(request.classes.subarray(start, start + count), [count, 1], 'int32');
      const images = generator.predict(request.conditional ? [zTensor, y] : zTensor) as tf.Tensor4D;
      return symmetricToPixels(images);
    });
    const [, h, w, c] = pixels.shape;
    shape = [n, h, w, c];
    chunks.push(Uint8Array.from(pixels.dataSync()));
    pixels.dispose();
  }
  const all = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return { pixels: all, shape };
}

export interface ClassGridOptions {
  readonly numClasses: number;
  /** Images per row. */
  readonly perClass: number;
  readonly zDim: number;
  readonly conditional: boolean;
  /** Names of the classes, drawn left of their rows (conditional generators; default: the class indices). */
  readonly classNames?: readonly string[];
  readonly seed: number;
  /** Integer upscaling (default 2). */
  readonly scale?: number;
}

/** The classes of a grid with one row per class: row k holds `perClass` images of class k. */
export function rowPerClass(numClasses: number, perClass: number): Int32Array {
  return Int32Array.from({ length: numClasses * perClass }, (_, i) => Math.floor(i / perClass));
}

/** Row labels of `numClasses` classes: their names where known, else their indices. */
export function classRowLabels(numClasses: number, classNames?: readonly string[]): string[] {
  return Array.from({ length: numClasses }, (_, k) => classNames?.[k] ?? String(k));
}

/**
 * A grid of `numClasses` rows × `perClass` columns; conditional generators get class k in row k,
 * labelled with its name. Unconditional ones fill the same layout (rows then mean nothing, and
 * carry no label).
 */
export function classGrid(generator: tf.LayersModel, options: ClassGridOptions): Grid {
  const rows = Math.max(1, options.numClasses);
  const classes = rowPerClass(rows, options.perClass);
  const { pixels, shape } = generateImages(generator, { classes, zDim: options.zDim, conditional: options.conditional, seed: options.seed });
  const rowLabels = options.conditional ? classRowLabels(rows, options.classNames) : undefined;
  return imageGrid(pixels, shape, { columns: options.perClass, scale: options.scale ?? 2, padding: 2, rowLabels });
}

export async function writeClassGrid(file: string, generator: tf.LayersModel, options: ClassGridOptions): Promise<void> {
  await writeGridPng(file, classGrid(generator, options));
}
