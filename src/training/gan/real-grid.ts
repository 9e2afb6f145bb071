/**
 * The training data as the GAN sees it: real images after the pipeline's resize and scaling, one
 * row per label the GAN trains on (true labels, pseudo-labels or random labels, by the method), so
 * that a user can check the labels before reading any sample grid. Written when training starts.
 */
import * as tf from '@tensorflow/tfjs';
import { imageGrid, writeGridPng } from '../../artifacts/image-grid.js';
import { gatherPixels, toNetworkInput } from '../../data/batches.js';
import type { FitMode } from '../../data/transforms.js';
import { symmetricToPixels } from '../../data/transforms.js';
import { UNLABELLED, splitSize, type ImageSplit } from '../../data/types.js';
import { Rng } from '../../util/rng.js';
import { classRowLabels } from './samples.js';

/** Rng stream of the images chosen for the grid (training uses other streams of the seed). */
export const REAL_GRID_STREAM = 13;

export interface RealGridOptions {
  /** The split the GAN trains on. */
  readonly split: ImageSplit;
  /** The label the GAN trains with, per split index (UNLABELLED where none). */
  readonly labels: Int32Array;
  /** Split indices the GAN draws from (default: all). */
  readonly pool?: Int32Array;
  /** Classes (rows); 0 for an unconditional GAN, whose grid has unlabelled rows. */
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  readonly imageSize: number;
  readonly fit: FitMode;
  readonly seed: number;
  /** Images per row (default 10). */
  readonly perRow?: number;
  /** Rows of an unconditional grid (default 10). */
  readonly rows?: number;
  /** Integer upscaling (default 2, as the sample grids). */
  readonly scale?: number;
}

/**
 * Split indices of each row: row k holds up to `perRow` images labelled k, in a seeded random
 * order over the pool; without classes, `rows` rows of any images. Empty slots are -1.
 */
export function realGridIndices(options: RealGridOptions): Int32Array[] {
  const perRow = options.perRow ?? 10;
  const pool = options.pool ?? Int32Array.from({ length: splitSize(options.split) }, (_, i) => i);
  const order = new Rng(options.seed, REAL_GRID_STREAM).permutation(pool.length);
  if (options.numClasses === 0) {
    const rows = options.rows ?? 10;
    return Array.from({ length: rows }, (_, r) => Int32Array.from({ length: perRow }, (_, c) => (r * perRow + c < pool.length ? pool[order[r * perRow + c]] : -1)));
  }
  const rows = Array.from({ length: options.numClasses }, () => new Int32Array(perRow).fill(-1));
  const filled = new Array<number>(options.numClasses).fill(0);
  for (const position of order) {
    const index = pool[position];
    const label = options.labels[index];
    if (label === UNLABELLED || label < 0 || label >= options.numClasses || filled[label] >= perRow) continue;
    rows[label][filled[label]++] = index;
  }
  return rows;
}

/** Writes the grid of `options` to `file` as PNG (atomically). Leaves the tensor count unchanged. */
export async function writeRealGrid(file: string, options: RealGridOptions): Promise<void> {
  const rows = realGridIndices(options);
  const perRow = options.perRow ?? 10;
  const chosen = Int32Array.from(rows.flatMap((row) => [...row].filter((i) => i >= 0)));
  const channels = options.split.shape[3];
  const size = options.imageSize;
  const imageBytes = size * size * channels;
  // 1. The chosen images through the training pipeline's transforms, back to bytes.
  let pixels = new Uint8Array(0);
  if (chosen.length > 0) {
    const images = tf.tidy(() => symmetricToPixels(toNetworkInput(options.split, gatherPixels(options.split, chosen), chosen.length, size, options.fit)));
    pixels = Uint8Array.from(images.dataSync());
    images.dispose();
  }
  // 2. Laid out one row per label; empty slots stay background.
  const batch = new Uint8Array(rows.length * perRow * imageBytes);
  let next = 0;
  rows.forEach((row, r) =>
    row.forEach((index, c) => {
      if (index < 0) return;
      batch.set(pixels.subarray(next * imageBytes, (next + 1) * imageBytes), (r * perRow + c) * imageBytes);
      next += 1;
    }),
  );
  const rowLabels = options.numClasses > 0 ? classRowLabels(options.numClasses, options.classNames) : undefined;
  const grid = imageGrid(batch, [rows.length * perRow, size, size, channels], { columns: perRow, scale: options.scale ?? 2, padding: 2, rowLabels });
  await writeGridPng(file, grid);
}
