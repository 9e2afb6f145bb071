import type { ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/util/rng.js';

/** |actual − expected| < tolerance. */
export function close(t: ExecutionContext, actual: number, expected: number, what: string, tolerance = 1e-5): void {
  t.true(Math.abs(actual - expected) < tolerance, `${what}: ${actual} vs ${expected}`);
}

export function scalar(x: tf.Tensor): number {
  return x.dataSync()[0];
}

/** A [rows, cols] matrix of values in [−1, 1) drawn from a seeded Rng, scaled by `scale`. */
export function randomMatrix(rows: number, cols: number, seed: number, scale = 1): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(Array.from({ length: rows * cols }, () => scale * (2 * rng.next() - 1)), [rows, cols]);
}

/**
 * Checks tf.grad of `f` at `x` against central differences (f(x + h) − f(x − h)) / 2h, element by
 * element, within 1e-2 relative to the larger of the entry and a tenth of the largest entry.
 * Also checks that neither call leaves tensors behind.
 */
export function checkGradient(t: ExecutionContext, f: (x: tf.Tensor2D) => tf.Scalar, x: tf.Tensor2D, what: string, step = 3e-3): void {
  const before = tf.memory().numTensors;
  const analytic = tf.tidy(() => tf.grad((v: tf.Tensor) => f(v as tf.Tensor2D))(x).dataSync());
  const values = x.dataSync();
  const numeric = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const at = (delta: number) =>
      tf.tidy(() => {
        const shifted = Float32Array.from(values);
        shifted[i] += delta;
        return scalar(f(tf.tensor2d(shifted, x.shape)));
      });
    numeric[i] = (at(step) - at(-step)) / (2 * step);
  }
  t.is(tf.memory().numTensors, before, `${what}: no tensor left behind`);
  const largest = Math.max(...Array.from(numeric, Math.abs));
  t.true(largest > 1e-3, `${what}: the gradient is not trivially zero (${largest})`);
  for (let i = 0; i < values.length; i++) {
    const tolerance = 1e-2 * Math.max(Math.abs(numeric[i]), 0.1 * largest);
    t.true(Number.isFinite(analytic[i]) && Math.abs(analytic[i] - numeric[i]) <= tolerance, `${what}[${i}]: analytic ${analytic[i]} vs numeric ${numeric[i]}`);
  }
}
