import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { dcganDiscriminator, dcganGenerator } from '../../../src/nn/architectures/dcgan.js';
import { maxAbsDiff, roundTrip } from '../layers/helpers.js';
import { labels, leakFreeTrainingCall } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const tiny = { numClasses: 3, width: 4, imageSize: 16, channels: 1 as const, seed: 1 };

test('conditional generator: [z, y] → images in [−1, 1] from s/16 through four 5×5 stride-2 deconvs; no leaks', (t) => {
  const g = dcganGenerator({ ...tiny, zDim: 8 });
  const z = tf.randomNormal([4, 8], 0, 1, 'float32', 3);
  const y = labels([0, 1, 2, 1]);
  const [images] = leakFreeTrainingCall(t, g, [z, y]);
  t.deepEqual(images.shape, [4, 16, 16, 1]);
  t.true(images.values.every((v) => v >= -1 && v <= 1));
  // 1 → 2 → 4 → 8 → 16 with 8w, 4w, 2w, w channels, then the image.
  t.deepEqual(g.getLayer('g_deconv1').outputShape, [null, 2, 2, 16]);
  t.deepEqual(g.getLayer('g_deconv3').outputShape, [null, 8, 8, 4]);
  t.is(g.getLayer('g_bn0').getClassName(), 'ConditionalBatchNorm');
  tf.dispose([z, y]);
});

test('discriminator: strided convs with batch norm, no spectral norm, flattened h, three heads', (t) => {
  const d = dcganDiscriminator({ ...tiny, imageSize: 32, channels: 3, rotationHead: true, classifierHead: true });
  const x = tf.randomUniform([5, 32, 32, 3], -1, 1, 'float32', 4);
  const y = labels([0, 1, 2, 0, 1]);
  const shapes = leakFreeTrainingCall(t, d, [x, y]).map((o) => o.shape);
  t.deepEqual(shapes, [
    [5, 1],
    [5, 4],
    [5, 3],
  ]);
  // 32 → 16 → 8 → 4 → 2 with w, 2w, 4w, 8w; h = 2·2·8w = 128 features.
  t.deepEqual(d.getLayer('d_conv3').outputShape, [null, 2, 2, 32]);
  t.deepEqual(d.getLayer('d_flatten').outputShape, [null, 128]);
  // Batch norm on every conv but the first (Radford et al.); no layer with a spectral-norm vector.
  t.throws(() => d.getLayer('d_bn0'));
  t.is(d.getLayer('d_bn3').getClassName(), 'BatchNormalization');
  t.false(d.weights.some((w) => /_u$|\/u$/.test(w.originalName)), d.weights.map((w) => w.originalName).join(' '));
  tf.dispose([x, y]);
});

test('unconditional forms take no labels; sizes must be multiples of 16', (t) => {
  const options = { ...tiny, numClasses: 0, channels: 3 as const };
  const g = dcganGenerator({ ...options, zDim: 8 });
  const d = dcganDiscriminator({ ...options, rotationHead: false, classifierHead: false });
  t.is(g.inputs.length, 1);
  t.is(d.inputs.length, 1);
  t.is(g.getLayer('g_bn0').getClassName(), 'BatchNormalization');
  const shapes = tf.tidy(() => {
    const images = g.apply(tf.randomNormal([2, 8]), { training: true }) as tf.Tensor;
    return [images.shape, (d.apply(images, { training: true }) as tf.Tensor).shape];
  });
  t.deepEqual(shapes, [
    [2, 16, 16, 3],
    [2, 1],
  ]);
  t.throws(() => dcganGenerator({ ...tiny, zDim: 8, imageSize: 8 }), { message: /divisible by 16/ });
  t.throws(() => dcganDiscriminator({ ...tiny, imageSize: 24, rotationHead: false, classifierHead: false }), { message: /divisible by 16/ });
});

test('both networks save and load and give the same outputs', async (t) => {
  const g = dcganGenerator({ ...tiny, zDim: 8 });
  const d = dcganDiscriminator({ ...tiny, rotationHead: true, classifierHead: true });
  const z = tf.randomNormal([3, 8], 0, 1, 'float32', 5);
  const y = labels([2, 0, 1]);
  // Training calls move the batch-norm statistics of both networks off their initial values.
  const images = g.apply([z, y], { training: true }) as tf.Tensor;
  tf.dispose(d.apply([images, y], { training: true }) as tf.Tensor[]);
  const [g2, d2] = await Promise.all([roundTrip(g), roundTrip(d)]);
  const a = g.apply([z, y], { training: false }) as tf.Tensor;
  const b = g2.predict([z, y]) as tf.Tensor;
  t.true(maxAbsDiff(a, b) < 1e-6);
  const da = d.apply([images, y], { training: false }) as tf.Tensor[];
  const db = d2.predict([images, y]) as tf.Tensor[];
  da.forEach((out, i) => t.true(maxAbsDiff(out, db[i]) < 1e-5, `output ${i}`));
  tf.dispose([z, y, images, a, b, ...da, ...db]);
});
