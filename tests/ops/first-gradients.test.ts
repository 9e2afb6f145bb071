/**
 * The gradients src/ops registers for second-order use leave first gradients as tfjs computes them:
 * tanh's gradient recomputed from its input equals tfjs's (1 − y²)·dy from the saved output bit for
 * bit, and the average pool's gradient is still tfjs's AvgPoolGrad kernel.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '../../src/ops/index.js';
import { Rng } from '../../src/util/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function uniform(rng: Rng, shape: number[], lo = -3, hi = 3): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => lo + (hi - lo) * rng.next()), shape);
}

test('tanh: the first gradient equals tfjs\'s (1 − y²)·dy bit for bit', (t) => {
  const rng = new Rng(5);
  const x = uniform(rng, [64]);
  const dy = uniform(rng, [64]);
  const ours = tf.grad((v: tf.Tensor) => tf.tanh(v))(x, dy);
  const reference = tf.tidy(() => tf.mul(tf.sub(tf.scalar(1), tf.square(tf.tanh(x))), dy));
  t.deepEqual(Array.from(ours.dataSync()), Array.from(reference.dataSync()));
  tf.dispose([x, dy, ours, reference]);
});

test('average pooling: the first gradient equals the AvgPoolGrad kernel bit for bit', (t) => {
  const rng = new Rng(6);
  const x = uniform(rng, [2, 4, 4, 3]) as tf.Tensor4D;
  const dy = uniform(rng, [2, 2, 2, 3]) as tf.Tensor4D;
  const ours = tf.grad((v: tf.Tensor) => tf.avgPool(v as tf.Tensor4D, 2, 2, 'valid'))(x, dy);
  const kernel = tf.engine().runKernel(tf.AvgPoolGrad, { dy, input: x }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
  t.deepEqual(Array.from(ours.dataSync()), Array.from(kernel.dataSync()));
  tf.dispose([x, dy, ours, kernel]);
});
