/**
 * Training batches on @tensorflow/tfjs-data: a seeded shuffle, batching, prefetch, scaling to
 * [−1, 1] and fitting to the network's resolution.
 *
 * The order is a pure function of (seed, epoch): epoch e visits the images in the permutation drawn
 * by Rng(seed, e). A run resumed at batch b therefore sees exactly the batches an uninterrupted run
 * would have seen, without replaying the ones before.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import { imageBytes, splitSize, type ImageSplit } from './types.js';
import { fitToSize, scaleToSymmetric, type FitMode } from './transforms.js';

export interface BatchOptions {
  /** Images per batch. Every batch is full: an epoch's last partial batch is dropped. */
  readonly batchSize: number;
  /** Seed of the per-epoch permutations. */
  readonly seed: number;
  /** Global index of the first batch to produce (0 for a fresh run; the step count on resume). */
  readonly startBatch?: number;
  /** Side of the output images in pixels. */
  readonly imageSize: number;
  /** How smaller images reach imageSize. */
  readonly fit: FitMode;
  /** Batches prepared ahead of the consumer. */
  readonly prefetchBatches: number;
  /** Restrict to these indices of the split (e.g. the labelled subset); default all. */
  readonly indices?: Int32Array;
  /** Labels to emit instead of split.labels (e.g. pseudo-labels or a masked copy), by split index. */
  readonly labels?: Int32Array;
}

/** One batch. The consumer owns the tensors and must dispose them. (A type, not an interface, so it is a tf.TensorContainer.) */
export type Batch = {
  /** [batchSize, imageSize, imageSize, channels] float32 in [−1, 1]. */
  readonly images: tf.Tensor4D;
  /** [batchSize] int32 class labels (−1 = unlabelled). */
  readonly labels: tf.Tensor1D;
  /** [batchSize] int32 indices into the split, to join with ids. */
  readonly indices: tf.Tensor1D;
};

/** Split indices of global batch `batch` (epochs of floor(n / batchSize) batches each). */
export function batchIndices(pool: Int32Array, batchSize: number, seed: number, batch: number): Int32Array {
  const perEpoch = Math.floor(pool.length / batchSize);
  if (perEpoch < 1) throw new Error(`batch size ${batchSize} is larger than the ${pool.length} images available`);
  const epoch = Math.floor(batch / perEpoch);
  const offset = (batch % perEpoch) * batchSize;
  const order = new Rng(seed, epoch).permutation(pool.length);
  return Int32Array.from(order.subarray(offset, offset + batchSize), (i) => pool[i]);
}

/** Copies the pixels of `indices` into one contiguous NHWC buffer. */
export function gatherPixels(split: ImageSplit, indices: Int32Array): Uint8Array {
  const bytes = imageBytes(split);
  const out = new Uint8Array(indices.length * bytes);
  indices.forEach((index, row) => out.set(split.images.subarray(index * bytes, (index + 1) * bytes), row * bytes));
  return out;
}

/** Turns gathered uint8 pixels into network input [n, size, size, c] float32 in [−1, 1]. */
export function toNetworkInput(split: ImageSplit, pixels: Uint8Array, count: number, imageSize: number, fit: FitMode): tf.Tensor4D {
  const [, height, width, channels] = split.shape;
  return tf.tidy(() => {
    const raw = tf.tensor4d(pixels, [count, height, width, channels], 'int32');
    return fitToSize(scaleToSymmetric(raw), imageSize, fit);
  });
}

/**
 * An endless tf.data.Dataset of shuffled batches of `split`. Use it with
 * `const it = await trainingBatches(...).iterator(); const { value } = await it.next();`
 * and dispose each batch's tensors after use.
 */
export function trainingBatches(split: ImageSplit, options: BatchOptions): tf.data.Dataset<Batch> {
  const pool = options.indices ?? Int32Array.from({ length: splitSize(split) }, (_, i) => i);
  const labels = options.labels ?? split.labels;
  if (labels.length !== splitSize(split)) throw new Error(`labels has ${labels.length} entries for ${splitSize(split)} images`);
  const startBatch = options.startBatch ?? 0;
  // Fail now, not on the first next(): a pool smaller than a batch can never yield one.
  batchIndices(pool, options.batchSize, options.seed, startBatch);

  function* batches(): Iterator<Batch> {
    for (let batch = startBatch; ; batch++) {
      const indices = batchIndices(pool, options.batchSize, options.seed, batch);
      const pixels = gatherPixels(split, indices);
      yield {
        images: toNetworkInput(split, pixels, indices.length, options.imageSize, options.fit),
        labels: tf.tensor1d(Int32Array.from(indices, (i) => labels[i]), 'int32'),
        indices: tf.tensor1d(indices, 'int32'),
      };
    }
  }
  const dataset = tf.data.generator<Batch>(batches);
  return options.prefetchBatches > 0 ? dataset.prefetch(options.prefetchBatches) : dataset;
}
