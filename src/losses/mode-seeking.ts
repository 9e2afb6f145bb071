/**
 * The mode-seeking regulariser of MSGAN (Mao, Lee, Tseng, Ma and Yang, "Mode Seeking Generative
 * Adversarial Networks for Diverse Image Synthesis", CVPR 2019): G is penalised when two
 * latent vectors far apart give images close together, which is what a generator that ignores z
 * does. With the batch's first half paired row by row with its second half:
 *   ratio = mean|G(z)_{0:h} − G(z)_{h:2h}| / mean|z_{0:h} − z_{h:2h}|,   h = floor(B/2),
 *   loss  = 1 / (ratio + ε),   ε = 1e-5
 * (means over every element; an odd batch's last row has no partner and is left out).
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../util/errors.js';

/** ε: keeps the loss finite when every pair collapses to one image. */
export const MODE_SEEKING_EPSILON = 1e-5;

export interface ModeSeekingLoss {
  /** 1 / (ratio + ε), dimensionless. */
  readonly loss: tf.Scalar;
  /** Mean image distance per unit of latent distance over the pairs (0: z is ignored). */
  readonly ratio: tf.Scalar;
}

/** The first h = floor(B/2) rows of `t`, and the next h. */
function halves<T extends tf.Tensor>(t: T): [T, T] {
  const h = Math.floor(t.shape[0] / 2);
  const size = [h, ...t.shape.slice(1)];
  const begin = (row: number) => [row, ...t.shape.slice(1).map(() => 0)];
  return [tf.slice(t, begin(0), size), tf.slice(t, begin(h), size)];
}

/** Mean absolute difference of the two halves' paired rows. */
function meanPairDistance(t: tf.Tensor): tf.Scalar {
  const [first, second] = halves(t);
  return tf.mean(tf.abs(tf.sub(first, second)));
}

/**
 * @param fakes [B, s, s, c] G's images in [−1, 1] (the gradient flows back through them).
 * @param z [B, zDim] the latent vectors they were generated from; B ≥ 2.
 */
export function modeSeekingLoss(fakes: tf.Tensor4D, z: tf.Tensor2D): ModeSeekingLoss {
  const batch = fakes.shape[0];
  invariant(fakes.rank === 4 && z.rank === 2 && z.shape[0] === batch && batch >= 2, `mode seeking needs fakes [B, s, s, c] and z [B, zDim] with B ≥ 2, got [${fakes.shape.join(', ')}] and [${z.shape.join(', ')}]`);
  return tf.tidy(() => {
    const ratio = tf.div(meanPairDistance(fakes), meanPairDistance(z)) as tf.Scalar;
    const loss = tf.div(1, tf.add(ratio, MODE_SEEKING_EPSILON)) as tf.Scalar;
    return { loss, ratio };
  });
}

/**
 * Row indices of a batch whose second half repeats the first half's rows: [0 … h−1, 0 … B−h−1],
 * h = floor(B/2). Generating the fakes for these labels makes each pair of {@link modeSeekingLoss}
 * one class (for an odd B the unpaired last row takes row h's label).
 */
export function pairedRows(batch: number): Int32Array {
  const h = Math.floor(batch / 2);
  return Int32Array.from({ length: batch }, (_, i) => (i < h ? i : i - h));
}

/** [B] labels → [B] labels with the second half repeating the first ({@link pairedRows}). */
export function pairedLabels(labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.gather(labels, tf.tensor1d(pairedRows(labels.shape[0]), 'int32')));
}
