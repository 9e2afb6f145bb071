/** Inputs several test folders share. */
import * as tf from '@tensorflow/tfjs';
import { readMnist } from '../src/data/mnist.js';
import { imageBytes, type ImageSplit } from '../src/data/types.js';

export { SILENT_PROGRESS as SILENT } from '../src/util/progress.js';

/** The first `count` MNIST training images as a split of their own. */
export async function mnistTrainSubset(count: number): Promise<ImageSplit> {
  const { train } = await readMnist();
  return {
    images: train.images.slice(0, count * imageBytes(train)),
    shape: [count, 28, 28, 1],
    labels: train.labels.slice(0, count),
    ids: train.ids.slice(0, count),
  };
}

/** Random weights everywhere (zero-initialised embeddings would hide a wrong γ/β mapping); variances positive. */
export function randomizeWeights(model: tf.LayersModel): void {
  const values = model.weights.map((w, i) => {
    const random = tf.randomNormal(w.shape as number[], 0, 0.3, 'float32', 100 + i);
    return w.originalName.endsWith('moving_variance') ? tf.add(tf.abs(random), 0.5) : random;
  });
  model.setWeights(values);
  tf.dispose(values);
}
