/**
 * Slice and SplitV of the onednn backend against the cpu backend, bit-exact: random windows of rank
 * 1–5 shapes in float32, int32 and bool, every split axis of a rank-4 tensor, and the gradient of
 * Concat (SplitV), which a ProGAN discriminator's minibatch standard deviation takes twice.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/util/rng.js';
import { addonCalls, compare, nativeTest, random, tensor } from './helpers.js';

const SHAPES = [[9], [4, 7], [3, 5, 6], [2, 3, 4, 5], [2, 2, 3, 2, 4]];

nativeTest('Slice matches cpu exactly on random windows of rank 1–5 and float32, int32 and bool, natively', async (t) => {
  const rng = new Rng(41);
  for (const shape of SHAPES) {
    const data = random(rng, shape, -3, 3);
    for (let trial = 0; trial < 12; trial++) {
      // Every third window takes whole trailing axes, so the contiguous-run path is taken too.
      const whole = trial % 3 === 0;
      const begin = shape.map((d, i) => (whole && i > 0 ? 0 : rng.int(d)));
      const window = shape.map((d, i) => (whole && i > 0 ? d : 1 + rng.int(d - begin[i])));
      const label = `[${shape}] begin ${begin} size ${window}`;
      t.is(addonCalls(() => tf.dispose(tf.slice(tensor(data), begin, window))).get('slice'), 1, `native ${label}`);
      await compare(t, () => tf.slice(tensor(data), begin, window), 0, label);
      await compare(t, () => tf.cast(tf.slice(tf.cast(tf.mul(tensor(data), 10), 'int32'), begin, window), 'float32'), 0, `int32 ${label}`);
      await compare(t, () => tf.cast(tf.slice(tf.greater(tensor(data), 0), begin, window), 'float32'), 0, `bool ${label}`);
    }
  }
  await compare(t, () => tf.slice(tensor(random(rng, [3, 4])), [1, 0], [0, 4]), 0, 'an empty window');
  t.throws(() => tf.slice(tensor(random(rng, [3, 4])), [2, 0], [2, 4]), undefined, 'a window past the end still throws');
});

nativeTest('SplitV matches cpu exactly on every axis, and the gradient of Concat with it, natively', async (t) => {
  const rng = new Rng(42);
  const shape = [4, 3, 5, 6];
  const data = random(rng, shape);
  for (let axis = 0; axis < shape.length; axis++) {
    const d = shape[axis];
    for (const sizes of [[1, d - 1], [d - 2, 1, 1], d]) {
      const label = `axis ${axis} sizes ${String(sizes)}`;
      const parts = Array.isArray(sizes) ? sizes.length : sizes;
      t.is(addonCalls(() => tf.dispose(tf.split(tensor(data), sizes, axis))).get('slice'), parts, `native ${label}`);
      await compare(t, () => tf.split(tensor(data), sizes, axis), 0, label);
    }
  }
  const extra = random(rng, [4, 3, 5, 1]);
  await compare(
    t,
    () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.concat([a, tf.mul(b, 3)], 3))))([tensor(data), tensor(extra)]),
    1e-6,
    'gradient of Concat along the channels',
  );
});
