/**
 * The moving average of a manifold across minibatches, for MMGAN (mmgan.ts): a fixed-size memory
 * of the last K batches of features whose weights decay geometrically with age. Used as a weighted
 * set, its kernel mean embedding Σ_i w_i φ(x_i) is the exponential moving average, truncated at K
 * batches, of the batches' own mean embeddings:
 *   weight of every point of the batch of age a (a = 0 newest) = (1 − decay) · decay^a / B,
 * before normalisation. The state is two plain tensors, so a checkpoint can hold it, and the update
 * is a pure function. Points with weight 0 (the empty slots of a fresh memory) count for nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../util/errors.js';
import { checkRows } from './geometry.js';
import type { WeightedSet } from './mmgan.js';

/** Default decay of the real manifold's memory: the newest batch carries half the mass. */
export const DEFAULT_MANIFOLD_DECAY = 0.5;
/** Default number of batches the memory holds (with decay 0.5 the 5th would weigh 1/32). */
export const DEFAULT_MANIFOLD_MEMORY_BATCHES = 4;

/** A memory: points [K·B, F] (newest batch first) and their unnormalised weights [K·B]. */
export type ManifoldMemory = WeightedSet;

/** A memory of `batches` batches of `batchSize` rows of `featureDim` features, all slots empty. */
export function emptyManifoldMemory(batches: number, batchSize: number, featureDim: number): ManifoldMemory {
  for (const [value, what] of [[batches, 'batches'], [batchSize, 'batchSize'], [featureDim, 'featureDim']] as const) {
    invariant(Number.isInteger(value) && value > 0, `${what} must be a positive integer, got ${value}`);
  }
  return { points: tf.zeros([batches * batchSize, featureDim]), weights: tf.zeros([batches * batchSize]) };
}

/**
 * The memory after one more batch: the batch goes in front with weight (1 − decay)/B per point,
 * the older points' weights are multiplied by decay, and the oldest batch drops out.
 * With decay 0 the memory is just the batch. Called inside a gradient, the new batch's rows keep
 * their gradient (the older rows are constants), so the same function builds a differentiable fake
 * set. Returns new tensors; the caller disposes the old memory.
 * @param batch [B, F] float32, B dividing the memory's length; decay in [0, 1).
 */
export function updateManifoldMemory(memory: ManifoldMemory, batch: tf.Tensor2D, decay: number): ManifoldMemory {
  const size = checkRows(memory.points, 'memory.points');
  const batchSize = checkRows(batch, 'batch');
  invariant(
    batch.shape[1] === memory.points.shape[1] && size % batchSize === 0,
    `batch [${batch.shape.join(', ')}] does not fit a memory of [${memory.points.shape.join(', ')}]`,
  );
  invariant(memory.weights.rank === 1 && memory.weights.shape[0] === size, `memory.weights must be [${size}], got [${memory.weights.shape.join(', ')}]`);
  invariant(decay >= 0 && decay < 1, `decay must be in [0, 1), got ${decay}`);
  return tf.tidy(() => {
    const kept = size - batchSize;
    const newWeights = tf.fill([batchSize], (1 - decay) / batchSize) as tf.Tensor1D;
    if (kept === 0) return { points: batch.clone(), weights: newWeights };
    const points = tf.concat([batch, tf.slice(memory.points, [0, 0], [kept, -1])], 0) as tf.Tensor2D;
    const weights = tf.concat([newWeights, tf.mul(decay, tf.slice(memory.weights, [0], [kept]))], 0) as tf.Tensor1D;
    return { points, weights };
  });
}
