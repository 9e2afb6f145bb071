/**
 * Geometry shared by the manifold-matching losses (MvM and MMGAN): squared euclidean distances
 * between rows, square roots and norms whose gradient stays finite at zero, and an identity with a
 * zero gradient for statistics that must act as constants (a kernel bandwidth).
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../util/errors.js';

/** Asserts `x` is a float32 [N, F] matrix with N > 0 and returns N. */
export function checkRows(x: tf.Tensor2D, what: string): number {
  invariant(
    x.rank === 2 && x.shape[0] > 0 && x.shape[1] > 0 && x.dtype === 'float32',
    `${what} must be float32 [N, F] with N, F > 0, got ${x.dtype} [${x.shape.join(', ')}]`,
  );
  return x.shape[0];
}

/**
 * Squared euclidean distances between the rows of x [N, F] and y [M, F]:
 *   D[i, j] = ‖x_i‖² + ‖y_j‖² − 2 x_i·y_j, clamped at 0 against rounding → [N, M].
 * The expanded form is the one the MvM reference uses (`pairwise_distances` in its loss.py).
 */
export function pairwiseSquaredDistances(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  checkRows(x, 'x');
  checkRows(y, 'y');
  invariant(x.shape[1] === y.shape[1], `x and y must have the same width, got ${x.shape[1]} and ${y.shape[1]}`);
  return tf.tidy(() => {
    const xNorm = tf.sum(tf.square(x), 1, true); // [N, 1]
    const yNorm = tf.reshape(tf.sum(tf.square(y), 1), [1, -1]); // [1, M]
    const cross = tf.matMul(x, y, false, true); // [N, M]
    return tf.relu(tf.sub(tf.add(xNorm, yNorm), tf.mul(2, cross))) as tf.Tensor2D;
  });
}

/**
 * √s elementwise for s ≥ 0, with the gradient at s = 0 taken as 0 instead of ∞ (tfjs's sqrt and
 * norm give NaN there, which happens whenever two matched sets coincide exactly).
 */
export function safeSqrt<T extends tf.Tensor>(s: T): T {
  return tf.tidy(() => {
    const positive = tf.greater(s, 0);
    const root = tf.sqrt(tf.where(positive, s, tf.onesLike(s)));
    return tf.where(positive, root, tf.zerosLike(s)) as T;
  });
}

/** Euclidean (Frobenius) norm of all entries of `x`, as a scalar, with a finite gradient at 0. */
export function safeNorm(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => safeSqrt(tf.sum(tf.square(x))) as tf.Scalar);
}

/** Identity whose gradient is zero: what passes through it is a constant for backprop. */
export const stopGradient = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return {
    value: (x as tf.Tensor).clone(),
    gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.zerosLike(saved[0]),
  };
}) as <T extends tf.Tensor>(x: T) => T;
