/**
 * The gradient of training-mode batch norm written as tfjs ops: the same formula the
 * BatchNormTrainingGrad kernel computes in one call. It runs instead of that kernel while a
 * gradient tape records (tfjs can differentiate these ops again: gradients of gradients), and it is
 * a reference in tests.
 *   x̂ = (x − μ)·r, r = 1/sqrt(σ² + ε), g = dy·scale, M = the count per channel
 *   dx = r·(g − Σg/M − x̂·Σ(g·x̂)/M) + dμ/M + dσ²·2(x − μ)/M
 *   dScale = Σ dy·x̂,  dOffset = Σ dy   (over the axes that scale and offset repeat on)
 */
import * as tf from '@tensorflow/tfjs';

export interface BatchNormBackwardInputs {
  /** Gradient of y, x's shape: [B, C] or [B, H, W, C]. */
  dy: tf.Tensor;
  x: tf.Tensor;
  /** The batch statistics the forward pass used, [C]. */
  mean: tf.Tensor;
  variance: tf.Tensor;
  /** [C] or [B, C]. */
  scale: tf.Tensor;
  /** Gradients of the mean and variance outputs, [C]. */
  dMean: tf.Tensor;
  dVariance: tf.Tensor;
}

/** [dx, dScale, dOffset]; dOffset is [B, C] when `offsetPerSample`, else [C]. */
export function batchNormBackward(inputs: BatchNormBackwardInputs, epsilon: number, offsetPerSample: boolean): tf.Tensor[] {
  const { dy, x, mean, variance, scale, dMean, dVariance } = inputs;
  const channels = x.shape[x.rank - 1];
  const count = x.size / channels;
  const allAxes = x.shape.slice(0, -1).map((_, i) => i);
  const spatialAxes = allAxes.slice(1);
  const perSample = (p: tf.Tensor) => (p.rank === 2 && x.rank === 4 ? tf.reshape(p, [x.shape[0], 1, 1, channels]) : p);
  // Sums over the axes a parameter repeats on: all but C for [C], the spatial ones for [B, C].
  const sumLike = (t: tf.Tensor, rows: 'channel' | 'sample') =>
    rows === 'channel' ? tf.sum(t, allAxes) : spatialAxes.length > 0 ? tf.sum(t, spatialAxes) : t;

  const rstd = tf.rsqrt(tf.add(variance, epsilon));
  const centred = tf.sub(x, mean);
  const xHat = tf.mul(centred, rstd);
  const g = tf.mul(dy, perSample(scale));
  const sumG = tf.sum(g, allAxes);
  const sumGX = tf.sum(tf.mul(g, xHat), allAxes);
  const dx = tf.add(
    tf.mul(rstd, tf.sub(tf.sub(g, tf.div(sumG, count)), tf.mul(xHat, tf.div(sumGX, count)))),
    tf.add(tf.div(dMean, count), tf.mul(tf.mul(dVariance, 2 / count), centred)),
  );
  const dScale = sumLike(tf.mul(dy, xHat), scale.rank === 2 ? 'sample' : 'channel');
  const dOffset = sumLike(dy, offsetPerSample ? 'sample' : 'channel');
  return [dx, dScale, dOffset];
}
