/**
 * Predictions of the fine-tuned S4L classifier (classify/s4l.ts): unrotated images, inference mode
 * (batch-norm moving statistics), so an image's prediction does not depend on the batch it is in.
 * The same record as the linear probe's, so stage 2 treats both classifiers alike.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbePrediction } from './linear-probe.js';
import type { ProgressFn } from '../data/options.js';
import { gatherPixels, toNetworkInput } from '../data/batches.js';
import type { FitMode } from '../data/transforms.js';
import { splitSize, type ImageSplit } from '../data/types.js';
import { invariant } from '../util/errors.js';
import type { S4lClassifier } from './s4l.js';

export interface S4lPredictOptions {
  /** Side in pixels of the encoder's input (data.imageSize of the pretraining run). */
  readonly imageSize: number;
  readonly fit: FitMode;
  /** Images per forward pass (memory only: inference mode makes rows independent). */
  readonly batchSize: number;
  /** Called after each batch with (images done, images in all). */
  readonly onProgress?: ProgressFn;
}

/**
 * Class (argmax), confidence (max softmax) and softmax probabilities [indices.length, numClasses]
 * of the images `indices` of `split` (row i belongs to indices[i]). Leaves no tensor behind.
 */
export async function predictS4l(classifier: S4lClassifier, split: ImageSplit, indices: Int32Array, options: S4lPredictOptions): Promise<ProbePrediction> {
  invariant(Number.isInteger(options.batchSize) && options.batchSize > 0, `batchSize must be a positive integer, got ${options.batchSize}`);
  const count = splitSize(split);
  for (const index of indices) invariant(index >= 0 && index < count, `image index ${index} is outside the split of ${count} images`);
  const k = classifier.numClasses;
  const probabilities = new Float64Array(indices.length * k);
  for (let start = 0; start < indices.length; start += options.batchSize) {
    const batch = indices.subarray(start, Math.min(indices.length, start + options.batchSize));
    const softmax = tf.tidy(() => {
      const images = toNetworkInput(split, gatherPixels(split, batch), batch.length, options.imageSize, options.fit);
      const [, classLogits] = classifier.model.apply(images, { training: false }) as tf.Tensor2D[];
      return tf.softmax(classLogits);
    });
    try {
      probabilities.set(await softmax.data(), start * k);
    } finally {
      softmax.dispose();
    }
    options.onProgress?.(start + batch.length, indices.length);
  }
  const labels = new Int32Array(indices.length);
  const confidences = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[i * k + c] > probabilities[i * k + best]) best = c;
    labels[i] = best;
    confidences[i] = probabilities[i * k + best];
  }
  return { labels, confidences, probabilities: { rows: indices.length, cols: k, data: probabilities } };
}
