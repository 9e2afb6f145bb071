import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { sndcganDiscriminator, sndcganGenerator } from '../../../src/nn/architectures/sndcgan.js';
import { maxAbsDiff, roundTrip } from '../layers/helpers.js';
import { labels, leakFreeTrainingCall } from './helpers.js';
import { GlobalSumPooling2D } from '../../../src/nn/layers/index.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const tiny = { numClasses: 3, width: 4, imageSize: 16, channels: 1 as const, seed: 1 };

test('conditional generator: [z, y] → images in [−1, 1]; no tensor leaks in training calls', (t) => {
  const g = sndcganGenerator({ ...tiny, zDim: 8 });
  const z = tf.randomNormal([4, 8], 0, 1, 'float32', 3);
  const y = labels([0, 1, 2, 1]);
  const [images] = leakFreeTrainingCall(t, g, [z, y]);
  t.deepEqual(images.shape, [4, 16, 16, 1]);
  t.true(images.values.every((v) => v >= -1 && v <= 1));
  // Feature maps double from imageSize/8: 2 → 4 → 8 → 16, with 8w, 4w, 2w, w channels.
  t.deepEqual(g.getLayer('g_deconv1').outputShape, [null, 4, 4, 16]);
  t.deepEqual(g.getLayer('g_deconv3').outputShape, [null, 16, 16, 4]);
  tf.dispose([z, y]);
});

test('discriminator: projection logit, rotation and class heads with the bench-32 conv stack', (t) => {
  const d = sndcganDiscriminator({ ...tiny, rotationHead: true, classifierHead: true });
  const x = tf.randomUniform([5, 16, 16, 1], -1, 1, 'float32', 4);
  const y = labels([0, 1, 2, 0, 1]);
  const [logit, rotation, classes] = d.apply([x, y], { training: false }) as tf.Tensor[];
  t.deepEqual(logit.shape, [5, 1]);
  t.deepEqual(rotation.shape, [5, 4]);
  t.deepEqual(classes.shape, [5, 3]);
  // Strides 1, 2, 1, 2, 1, 2, 1: 16 → 16 → 8 → 8 → 4 → 4 → 2 → 2, widths w, 2w, 2w, 4w, 4w, 8w, 8w.
  t.deepEqual(d.getLayer('d_conv6').outputShape, [null, 2, 2, 32]);
  t.deepEqual(d.getLayer('d_sum_pool').outputShape, [null, 32]);
  tf.dispose([logit, rotation, classes]);
  t.throws(() => tf.tidy(() => d.apply([x, labels([0, 1, -1, 0, 1])], { training: false }) as tf.Tensor[]), { message: /label/ });
  tf.dispose([x, y]);
});

test('unconditional forms take no labels', (t) => {
  const g = sndcganGenerator({ ...tiny, numClasses: 0, zDim: 8, channels: 3 });
  const d = sndcganDiscriminator({ ...tiny, numClasses: 0, channels: 3, rotationHead: true, classifierHead: false });
  t.is(g.inputs.length, 1);
  t.is(d.inputs.length, 1);
  const out = tf.tidy(() => {
    const images = g.apply(tf.randomNormal([2, 8]), { training: true }) as tf.Tensor;
    return (d.apply(images, { training: true }) as tf.Tensor[]).map((o) => o.shape);
  });
  t.deepEqual(out, [
    [2, 1],
    [2, 4],
  ]);
  t.throws(() => sndcganGenerator({ ...tiny, zDim: 8, imageSize: 20 }), { message: /divisible by 8/ });
});

test('the generator saves and loads with its custom layers and gives the same images', async (t) => {
  const g = sndcganGenerator({ ...tiny, zDim: 8 });
  const z = tf.randomNormal([3, 8], 0, 1, 'float32', 5);
  const y = labels([2, 0, 1]);
  g.apply([z, y], { training: true }); // moves the batch-norm statistics away from their initial values
  const loaded = await roundTrip(g);
  const a = g.apply([z, y], { training: false }) as tf.Tensor;
  const b = loaded.apply([z, y], { training: false }) as tf.Tensor;
  t.true(maxAbsDiff(a, b) < 1e-6);
  const predicted = loaded.predict([z, y]) as tf.Tensor;
  t.true(maxAbsDiff(a, predicted) < 1e-6, 'predict works with y as [B, 1]');
  tf.dispose([z, y, a, b, predicted]);
});

test('global sum pooling sums over positions', (t) => {
  const layer = new GlobalSumPooling2D();
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
  const pooled = layer.apply(x) as tf.Tensor;
  // Channel 0: 1 + 3 + 5 + 7 = 16; channel 1: 2 + 4 + 6 + 8 = 20.
  t.deepEqual(Array.from(pooled.dataSync()), [16, 20]);
  t.deepEqual(layer.computeOutputShape([null, 2, 2, 2]), [null, 2]);
  tf.dispose([x, pooled]);
});
