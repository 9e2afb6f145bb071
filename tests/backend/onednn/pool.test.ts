/**
 * AvgPool and AvgPoolGrad of the onednn backend against the cpu backend, bit-exact (both sum in
 * double in the same order): non-overlapping windows, square and not, with rows and columns left
 * over under 'valid'; overlapping or padded pooling falls back to the cpu kernels.
 */
import * as tf from '@tensorflow/tfjs';
import '../../../src/ops/avg-pool-grad.js';
import { Rng } from '../../../src/util/rng.js';
import { addonCalls, compare, nativeTest, random, tensor } from './helpers.js';

type Pool = [filter: number | [number, number], pad: 'valid' | 'same'];
const NATIVE: [shape: number[], pool: Pool][] = [
  [[2, 8, 8, 3], [2, 'valid']],
  [[3, 9, 7, 5], [2, 'valid']],
  [[2, 9, 9, 4], [3, 'same']],
  [[1, 6, 8, 2], [[3, 2], 'valid']],
  [[4, 4, 4, 16], [4, 'valid']],
];

nativeTest('AvgPool and its gradient match cpu bit for bit on non-overlapping windows, natively', async (t) => {
  const rng = new Rng(43);
  for (const [shape, [filter, pad]] of NATIVE) {
    const data = random(rng, shape, -2, 2);
    const label = `[${shape}] window ${String(filter)} ${pad}`;
    const pool = (x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, filter, filter, pad);
    t.is(addonCalls(() => tf.dispose(pool(tensor(data)))).get('avgPool'), 1, `native ${label}`);
    await compare(t, () => pool(tensor(data)), 0, label);
    const weights = random(rng, pool(tensor(data)).shape, -1, 1);
    const gradient = () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(pool(x), tensor(weights))))(tensor(data));
    t.is(addonCalls(() => tf.dispose(gradient())).get('avgPoolGrad'), 1, `native gradient ${label}`);
    await compare(t, gradient, 0, `gradient ${label}`);
  }
});

nativeTest('overlapping or padded average pooling runs on the cpu kernels, and second-order gradients pass', async (t) => {
  const rng = new Rng(44);
  const data = random(rng, [2, 7, 7, 3]);
  for (const [filter, stride, pad] of [[3, 1, 'valid'], [3, 2, 'same'], [2, 2, 'same']] as const) {
    const pool = (x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, filter, stride, pad);
    t.is(addonCalls(() => tf.dispose(pool(tensor(data)))).get('avgPool') ?? 0, 0, `cpu: window ${filter} stride ${stride} ${pad}`);
    await compare(t, () => pool(tensor(data)), 1e-6, `window ${filter} stride ${stride} ${pad}`);
  }
  // 'ceil' with a numeric pad adds a partial last window, with padInfo still zero: cpu computes it.
  const x5 = random(rng, [1, 5, 5, 2]);
  const ceil = (x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, 2, 2, 0, 'ceil');
  t.is(addonCalls(() => tf.dispose(ceil(tensor(x5)))).get('avgPool') ?? 0, 0, "cpu: window 2 pad 0 'ceil'");
  await compare(t, () => ceil(tensor(x5)), 1e-6, "window 2 pad 0 'ceil'");
  const x8 = random(rng, [2, 8, 8, 2]);
  const penalty = (x: tf.Tensor) => tf.sum(tf.square(tf.grad((y: tf.Tensor) => tf.sum(tf.square(tf.avgPool(y as tf.Tensor4D, 2, 2, 'valid'))))(x)));
  await compare(t, () => tf.grad(penalty)(tensor(x8)), 1e-6, 'gradient of a gradient norm');
});
