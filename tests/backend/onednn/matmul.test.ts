/**
 * BatchMatMul and _FusedMatMul of the onednn backend against the cpu backend: each transpose
 * combination, batch broadcasting (one side a single matrix, leading size-1 axes), products small
 * enough for the plain loop and large enough for sgemm, fused bias shapes and every fused
 * activation, and gradients.
 *
 * Tolerance 1e-5 relative (helpers.ts): sgemm accumulates in float32 where the JavaScript kernel
 * accumulates in double; over these inner sizes (≤ 300) that stays within a few ulps.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/util/rng.js';
import { addonCalls, compare, nativeTest, random, tensor } from './helpers.js';

const RTOL = 1e-5;

/** [aShape, bShape, transposeA, transposeB]. */
const CASES: [number[], number[], boolean, boolean][] = [
  [[3, 4], [4, 5], false, false], // small: the plain loop
  [[4, 3], [4, 5], true, false],
  [[3, 4], [5, 4], false, true],
  [[4, 3], [5, 4], true, true],
  [[64, 300], [300, 70], false, false], // large: sgemm
  [[300, 64], [300, 70], true, false],
  [[64, 300], [70, 300], false, true],
  [[300, 64], [70, 300], true, true],
  [[1, 256], [576, 256], false, true], // a spectral-norm power iteration
  [[2, 3, 40, 50], [2, 3, 50, 60], false, false], // batched
  [[5, 40, 50], [50, 60], false, false], // b shared across the batch
  [[40, 50], [5, 50, 60], false, false], // a shared across the batch
  [[1, 5, 40, 50], [5, 60, 50], false, true], // leading size-1 axis
];

nativeTest('BatchMatMul matches cpu for each transpose, batch broadcast and size, natively', async (t) => {
  const rng = new Rng(21);
  for (const [sa, sb, ta, tb] of CASES) {
    const a = random(rng, sa), b = random(rng, sb);
    const run = () => tf.matMul(tensor(a), tensor(b), ta, tb);
    t.is(addonCalls(() => tf.dispose(run())).get('matmul'), 1, `native [${sa}]${ta ? 'ᵀ' : ''} [${sb}]${tb ? 'ᵀ' : ''}`);
    await compare(t, run, RTOL, `[${sa}]${ta ? 'ᵀ' : ''} × [${sb}]${tb ? 'ᵀ' : ''}`);
    // tfjs's BatchMatMul gradient does not reduce a broadcast batch (on any backend): skip those.
    if (sa.length !== sb.length) continue;
    await compare(t, () => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, ta, tb))))([tensor(a), tensor(b)]), RTOL, `gradient [${sa}] [${sb}]`);
  }
});

nativeTest('_FusedMatMul with each bias shape and fused activation matches cpu', async (t) => {
  const rng = new Rng(22);
  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const;
  const a = random(rng, [33, 70]), b = random(rng, [70, 20]);
  for (const biasShape of [[20], [1, 20], [33, 20], [1]]) {
    for (const activation of activations) {
      const bias = random(rng, biasShape);
      const run = () => tf.fused.matMul({ a: tensor(a) as tf.Tensor2D, b: tensor(b) as tf.Tensor2D, bias: tensor(bias), activation, leakyreluAlpha: 0.15 });
      t.is(addonCalls(() => tf.dispose(run())).get('matmul'), 1, `native bias [${biasShape}] ${activation}`);
      await compare(t, run, RTOL, `bias [${biasShape}] ${activation}`);
    }
  }
  // tf.layers.dense calls the fused kernel; its gradient must match too.
  const bias = random(rng, [20]);
  await compare(
    t,
    () => tf.grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: c, activation: 'relu' })))([tensor(a), tensor(b), tensor(bias)]),
    RTOL,
    'fused gradient',
  );
});

nativeTest('a batch broadcast on both sides and int32 products fall back to the cpu kernel', async (t) => {
  const rng = new Rng(23);
  const a = random(rng, [2, 1, 4, 5]), b = random(rng, [1, 3, 5, 6]);
  const run = () => tf.matMul(tensor(a), tensor(b));
  t.is(addonCalls(() => tf.dispose(run())).get('matmul'), undefined);
  await compare(t, run, RTOL, 'both broadcast');
  const ints = () => tf.cast(tf.matMul(tf.ones([3, 4], 'int32'), tf.ones([4, 2], 'int32')), 'float32');
  t.is(addonCalls(() => tf.dispose(ints())).get('matmul'), undefined);
  await compare(t, ints, 0, 'int32');
});
