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
 * norm give NaN there, which happens whenever two matched sets coincide exactly). A custom
 * gradient, because a comparison in the forward pass would need a gradient of its own
 * (tfjs registers none for Greater); its gradient is first-order only.
 */
export const safeSqrt = tf.customGrad((s, save) => {
  const root = tf.sqrt(s as tf.Tensor);
  (save as tf.GradSaveFunc)([root]);
  return {
    value: root,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const positive = tf.greater(saved[0], 0);
      const slope = tf.div(0.5, tf.where(positive, saved[0], tf.onesLike(saved[0])));
      return tf.mul(dy as tf.Tensor, tf.where(positive, slope, tf.zerosLike(slope)));
    },
  };
}) as <T extends tf.Tensor>(s: T) => T;

/** Euclidean (Frobenius) norm of all entries of `x`, as a scalar, with a finite gradient at 0. */
export function safeNorm(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => safeSqrt(tf.sum(tf.square(x))) as tf.Scalar);
}

/**
 * f(x) treated as a constant for backprop: f runs untaped (inside a custom gradient) and the
 * gradient with respect to x is zero, so f may use ops that have no gradient (topk).
 */
export function withoutGradient<T extends tf.Tensor>(f: (x: tf.Tensor) => T, x: tf.Tensor): T {
  const op = tf.customGrad((input, save) => {
    (save as tf.GradSaveFunc)([input as tf.Tensor]);
    return {
      value: f(input as tf.Tensor),
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.zerosLike(saved[0]),
    };
  });
  return op(x) as T;
}
