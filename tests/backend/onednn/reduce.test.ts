/**
 * Reductions, Softmax, data movement (Transpose, Reverse, Tile, GatherV2), UnsortedSegmentSum and
 * FusedBatchNorm of the onednn backend against the cpu backend: every axis subset of rank 1–4
 * shapes with and without keepDims, every permutation of a rank-4 transpose, and so on.
 *
 * Tolerance: 1e-6 relative for sums and means (both accumulate in double, in different orders),
 * 0 (bit-exact) for Max/Min and all data movement, 1e-6 for Softmax and batch norm.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/util/rng.js';
import { addonCalls, compare, nativeTest, random, tensor } from './helpers.js';

/** Every non-empty subset of [0, rank). */
function subsets(rank: number): number[][] {
  const all: number[][] = [];
  for (let mask = 1; mask < 1 << rank; mask++) all.push([...Array(rank).keys()].filter((i) => mask & (1 << i)));
  return all;
}

/** Every permutation of [0, n). */
function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) => [...Array(n).keys()].map((i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

const SHAPES = [[7], [4, 5], [3, 1, 6], [2, 3, 4, 5], [5, 4, 4, 8]];

nativeTest('Sum, Mean, Max and Min match cpu over every axis subset, with and without keepDims, natively', async (t) => {
  const rng = new Rng(31);
  for (const shape of SHAPES) {
    const data = random(rng, shape, -2, 3);
    for (const axes of subsets(shape.length)) {
      for (const keepDims of [false, true]) {
        const label = `[${shape}] axes ${axes} keepDims ${keepDims}`;
        const x = () => tensor(data);
        t.is(addonCalls(() => tf.dispose(tf.sum(x(), axes, keepDims))).get('reduce'), 1, `native ${label}`);
        await compare(t, () => [tf.sum(x(), axes, keepDims), tf.mean(x(), axes, keepDims)], 1e-6, `sum, mean ${label}`);
        await compare(t, () => [tf.max(x(), axes, keepDims), tf.min(x(), axes, keepDims)], 0, `max, min ${label}`);
      }
    }
  }
  // Negative axes, a scalar result and NaN.
  const data = random(rng, [3, 4]);
  await compare(t, () => [tf.sum(tensor(data), -1), tf.mean(tensor(data)), tf.max(tensor(data), [-2])], 1e-6, 'negative axes');
  await compare(t, () => [tf.max(tf.tensor1d([1, NaN, 3])), tf.min(tf.tensor1d([NaN, 1])), tf.sum(tf.tensor1d([1, NaN]))], 0, 'NaN');
});

nativeTest('moments and the gradients of mean and sum over outer axes match cpu (batch norm)', async (t) => {
  const rng = new Rng(32);
  const data = random(rng, [8, 6, 6, 16]);
  await compare(t, () => { const m = tf.moments(tensor(data), [0, 1, 2]); return [m.mean, m.variance]; }, 1e-6, 'moments');
  await compare(t, () => tf.grad((x: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.sum(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), tf.sin(x)));
  })(tensor(data)), 1e-5, 'normalisation gradient');
});

nativeTest('Softmax over the last axis and its gradient match cpu', async (t) => {
  const rng = new Rng(33);
  for (const shape of [[5], [4, 7], [2, 3, 10]]) {
    const data = random(rng, shape, -5, 5);
    t.is(addonCalls(() => tf.dispose(tf.softmax(tensor(data)))).get('softmax'), 1);
    await compare(t, () => tf.softmax(tensor(data)), 1e-6, `[${shape}]`);
    await compare(t, () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), tf.cos(x))))(tensor(data)), 1e-5, `gradient [${shape}]`);
  }
});

nativeTest('Transpose matches cpu exactly for every rank-4 permutation and float32, int32 and bool', async (t) => {
  const rng = new Rng(34);
  const data = random(rng, [2, 3, 4, 5]);
  for (const perm of permutations(4)) {
    t.is(addonCalls(() => tf.dispose(tf.transpose(tensor(data), perm))).get('transpose'), 1);
    await compare(t, () => tf.transpose(tensor(data), perm), 0, `perm ${perm}`);
  }
  await compare(t, () => tf.cast(tf.transpose(tf.cast(tf.mul(tensor(data), 10), 'int32'), [2, 0, 3, 1]), 'float32'), 0, 'int32');
  await compare(t, () => tf.cast(tf.transpose(tf.greater(tensor(data), 0), [3, 1, 0, 2]), 'float32'), 0, 'bool');
  await compare(t, () => tf.transpose(tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 6, 1]), [2, 1, 0]), 0, 'size-1 axes');
});

nativeTest('Reverse, Tile, GatherV2 and UnsortedSegmentSum match cpu exactly, with their gradients', async (t) => {
  const rng = new Rng(35);
  const data = random(rng, [3, 4, 5, 2]);
  for (const axes of subsets(4)) {
    t.is(addonCalls(() => tf.dispose(tf.reverse(tensor(data), axes))).get('reverse'), 1);
    await compare(t, () => tf.reverse(tensor(data), axes), 0, `reverse ${axes}`);
  }
  for (const reps of [[1, 1, 1, 1], [2, 1, 3, 1], [1, 2, 1, 2], [3, 3, 1, 1]]) {
    t.is(addonCalls(() => tf.dispose(tf.tile(tensor(data), reps))).get('tile'), 1);
    await compare(t, () => tf.tile(tensor(data), reps), 0, `tile ${reps}`);
    await compare(t, () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tile(x, reps), tf.tile(x, reps))))(tensor(data)), 1e-6, `tile gradient ${reps}`);
  }
  await compare(t, () => tf.cast(tf.tile(tf.tensor2d([[true, false]], [1, 2], 'bool'), [3, 2]), 'float32'), 0, 'tile bool');
  const table = random(rng, [10, 6]);
  const labels = [3, 0, 9, 3, 3, 7, 1];
  for (const axis of [0, 1]) {
    const indices = axis === 0 ? labels : [5, 0, 2, 2];
    await compare(t, () => tf.gather(tensor(table), tf.tensor1d(indices, 'int32'), axis), 0, `gather axis ${axis}`);
    await compare(t, () => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.gather(x, tf.tensor1d(indices, 'int32'), axis))))(tensor(table)), 1e-6, `gather gradient axis ${axis}`);
  }
  t.is(addonCalls(() => tf.dispose(tf.gather(tensor(table), tf.tensor1d(labels, 'int32')))).get('gather'), 1);
  const rows = random(rng, [7, 3, 2]);
  t.is(addonCalls(() => tf.dispose(tf.unsortedSegmentSum(tensor(rows), tf.tensor1d(labels, 'int32'), 10))).get('unsortedSegmentSum'), 1);
  await compare(t, () => tf.unsortedSegmentSum(tensor(rows), tf.tensor1d(labels, 'int32'), 10), 1e-6, 'unsortedSegmentSum');
  t.throws(() => tf.gather(tensor(table), tf.tensor1d([10], 'int32')), undefined, 'an index out of range still throws');
});

nativeTest('FusedBatchNorm (tf.batchNorm) matches cpu for per-channel, scalar and missing parameters, with gradients', async (t) => {
  const rng = new Rng(36);
  const x = random(rng, [4, 5, 5, 6]);
  const [mean, variance, offset, scale] = [random(rng, [6]), random(rng, [6], 0.1, 2), random(rng, [6]), random(rng, [6])];
  const run = () => tf.batchNorm(tensor(x), tensor(mean), tensor(variance), tensor(offset), tensor(scale), 1e-3);
  t.is(addonCalls(() => tf.dispose(run())).get('batchNorm'), 1);
  await compare(t, run, 1e-6, 'per channel');
  await compare(t, () => tf.batchNorm(tensor(x), tensor(mean), tensor(variance)), 1e-6, 'no offset or scale');
  await compare(t, () => tf.batchNorm(tensor(x), tf.scalar(0.3), tf.scalar(2), undefined, tf.scalar(1.5)), 1e-6, 'scalar statistics');
  await compare(
    t,
    () => tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.square(tf.batchNorm(a, tensor(mean), tensor(variance), o, s))))([tensor(x), tensor(scale), tensor(offset)]),
    1e-5,
    'gradients',
  );
});
