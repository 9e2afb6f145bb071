/**
 * Images as evaluation reads them: uint8 NHWC pixels with a class per image, whether a dataset split
 * (its labels) or generated images (the classes they were requested for). Real and generated images
 * reach the feature extractors through the same transform the GAN trains on (scale to [−1, 1], fit
 * to data.imageSize), and generated images are first quantised to uint8 like real ones, as the
 * reference FID protocols do by saving PNGs.
 */
import * as tf from '@tensorflow/tfjs';
import { fitToSize, scaleToSymmetric, type FitMode } from '../data/transforms.js';
import { invariant } from '../util/errors.js';

/** Labelled uint8 images; an ImageSplit is one (its ids are not needed here). */
export interface LabelledImages {
  /** Pixel values 0..255, NHWC: [count, height, width, channels] row-major. */
  readonly images: Uint8Array;
  /** [count, height, width, channels]. */
  readonly shape: readonly [number, number, number, number];
  /** [count] class per image (−1 = unlabelled). */
  readonly labels: Int32Array;
}

/** How images become network input: the data section's imageSize and fit. */
export interface InputGeometry {
  /** Side in pixels of the network input. */
  readonly imageSize: number;
  readonly fit: FitMode;
}

/** Number of images of a set. */
export function imageCount(set: LabelledImages): number {
  return set.shape[0];
}

/** 0..count−1 offset by `start`: the indices of rows [start, start + count). */
export function indexRange(start: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => start + i);
}

/** Images `indices` of `set` as network input [indices.length, size, size, c] float32 in [−1, 1]. */
export function imageBatch(set: LabelledImages, indices: ArrayLike<number>, geometry: InputGeometry): tf.Tensor4D {
  const [count, height, width, channels] = set.shape;
  const bytes = height * width * channels;
  invariant(set.images.length === count * bytes, `image buffer of ${set.images.length} bytes for shape [${set.shape.join(', ')}]`);
  const pixels = new Uint8Array(indices.length * bytes);
  for (let row = 0; row < indices.length; row++) {
    const index = indices[row];
    pixels.set(set.images.subarray(index * bytes, (index + 1) * bytes), row * bytes);
  }
  return tf.tidy(() => fitToSize(scaleToSymmetric(tf.tensor4d(pixels, [indices.length, height, width, channels], 'int32')), geometry.imageSize, geometry.fit));
}

/** The labels of `indices`. */
export function labelsOf(set: LabelledImages, indices: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: indices.length }, (_, i) => set.labels[indices[i]]);
}
