import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { resnetDiscriminator, resnetGenerator } from '../../../src/nn/architectures/resnet.js';
import { maxAbsDiff, roundTrip } from '../layers/helpers.js';
import { labels, leakFreeTrainingCall } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

// Width 4: G blocks 8w = 32 channels, D blocks 4w = 16 channels.
const tiny = { numClasses: 3, width: 4, imageSize: 16, channels: 1 as const, seed: 1 };

test('conditional generator: [z, y] → images in [−1, 1] through log2(s/4) up blocks; no tensor leaks', (t) => {
  const g = resnetGenerator({ ...tiny, zDim: 8 });
  const z = tf.randomNormal([4, 8], 0, 1, 'float32', 3);
  const y = labels([0, 1, 2, 1]);
  const [images] = leakFreeTrainingCall(t, g, [z, y]);
  t.deepEqual(images.shape, [4, 16, 16, 1]);
  t.true(images.values.every((v) => v >= -1 && v <= 1));
  // 16 pixels: 4 → 8 → 16, two blocks of 8w channels.
  t.deepEqual(g.getLayer('g_block1_add').outputShape, [null, 8, 8, 32]);
  t.deepEqual(g.getLayer('g_block2_add').outputShape, [null, 16, 16, 32]);
  t.throws(() => g.getLayer('g_block3_add'));
  tf.dispose([z, y]);
});

test('discriminator: optimized block, down blocks to 8×8, two plain blocks, then the three heads', (t) => {
  const d = resnetDiscriminator({ ...tiny, channels: 3, rotationHead: true, classifierHead: true });
  const x = tf.randomUniform([5, 16, 16, 3], -1, 1, 'float32', 4);
  const y = labels([0, 1, 2, 0, 1]);
  const shapes = leakFreeTrainingCall(t, d, [x, y]).map((o) => o.shape);
  t.deepEqual(shapes, [
    [5, 1],
    [5, 4],
    [5, 3],
  ]);
  // 16 pixels: the optimized block alone down-samples (16 → 8); blocks 2 and 3 keep 8×8.
  t.deepEqual(d.getLayer('d_block1_add').outputShape, [null, 8, 8, 16]);
  t.deepEqual(d.getLayer('d_block3_add').outputShape, [null, 8, 8, 16]);
  t.deepEqual(d.getLayer('d_sum_pool').outputShape, [null, 16]);
  tf.dispose([x, y]);
});

test('32 pixels is SN-GAN CIFAR: three up blocks in G; 32 → 16 → 8 in D with four blocks', (t) => {
  const g = resnetGenerator({ ...tiny, imageSize: 32, zDim: 8 });
  const d = resnetDiscriminator({ ...tiny, imageSize: 32, rotationHead: false, classifierHead: false });
  t.deepEqual(g.outputs[0].shape, [null, 32, 32, 1]);
  t.deepEqual(g.getLayer('g_block3_add').outputShape, [null, 32, 32, 32]);
  t.deepEqual(d.getLayer('d_block2_add').outputShape, [null, 8, 8, 16]);
  t.deepEqual(d.getLayer('d_block4_add').outputShape, [null, 8, 8, 16]);
  t.is(d.outputs.length, 1);
  // Down-sampling by average pooling, up-sampling by nearest neighbour (SN-GAN Table 4).
  t.is(d.getLayer('d_block2_pool').getClassName(), 'AveragePooling2D');
  t.is(g.getLayer('g_block1_up').getClassName(), 'UpSampling2D');
  t.throws(() => resnetGenerator({ ...tiny, zDim: 8, imageSize: 24 }), { message: /8·2\^k/ });
  t.throws(() => resnetDiscriminator({ ...tiny, numClasses: 0, rotationHead: false, classifierHead: true }), { message: /classifier/ });
});

test('unconditional forms take no labels; 8 pixels is one block each way', (t) => {
  const options = { ...tiny, numClasses: 0, imageSize: 8, channels: 3 as const };
  const g = resnetGenerator({ ...options, zDim: 8 });
  const d = resnetDiscriminator({ ...options, rotationHead: true, classifierHead: false });
  t.is(g.inputs.length, 1);
  t.is(d.inputs.length, 1);
  const shapes = tf.tidy(() => {
    const images = g.apply(tf.randomNormal([2, 8]), { training: true }) as tf.Tensor;
    return [images.shape, ...(d.apply(images, { training: true }) as tf.Tensor[]).map((o) => o.shape)];
  });
  t.deepEqual(shapes, [
    [2, 8, 8, 3],
    [2, 1],
    [2, 4],
  ]);
  t.deepEqual(d.getLayer('d_block1_add').outputShape, [null, 4, 4, 16]);
});

test('both networks save and load with their custom layers and give the same outputs', async (t) => {
  const g = resnetGenerator({ ...tiny, zDim: 8 });
  const d = resnetDiscriminator({ ...tiny, rotationHead: true, classifierHead: true });
  const z = tf.randomNormal([3, 8], 0, 1, 'float32', 5);
  const y = labels([2, 0, 1]);
  // Training calls move the batch-norm statistics and the spectral-norm vectors off their initial values.
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
