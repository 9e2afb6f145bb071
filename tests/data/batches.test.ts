import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { batchIndices, trainingBatches, type Batch } from '../../src/data/batches.js';
import { fitToSize, scaleToSymmetric } from '../../src/data/transforms.js';
import type { ImageSplit } from '../../src/data/types.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

// 10 images of 2×2×1; image i has every pixel = 20·i; label i % 3.
const split: ImageSplit = {
  images: Uint8Array.from({ length: 40 }, (_, p) => 20 * Math.floor(p / 4)),
  shape: [10, 2, 2, 1],
  labels: Int32Array.from({ length: 10 }, (_, i) => i % 3),
  ids: Array.from({ length: 10 }, (_, i) => `img${i}`),
};

async function take(dataset: tf.data.Dataset<Batch>, count: number): Promise<number[][]> {
  const iterator = await dataset.iterator();
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const { value } = await iterator.next();
    out.push(Array.from(value.indices.dataSync() as Int32Array));
    tf.dispose([value.images, value.labels, value.indices]);
  }
  return out;
}

test('each epoch is a seeded permutation; the last partial batch is dropped', (t) => {
  const pool = Int32Array.from({ length: 10 }, (_, i) => i);
  const epoch0 = [0, 1, 2].flatMap((b) => Array.from(batchIndices(pool, 3, 7, b)));
  t.is(new Set(epoch0).size, 9, 'three batches of 3 from 10 images, no repeats within an epoch');
  const again = [0, 1, 2].flatMap((b) => Array.from(batchIndices(pool, 3, 7, b)));
  t.deepEqual(epoch0, again, 'same seed, same order');
  const otherSeed = [0, 1, 2].flatMap((b) => Array.from(batchIndices(pool, 3, 8, b)));
  t.notDeepEqual(epoch0, otherSeed);
  const epoch1 = [3, 4, 5].flatMap((b) => Array.from(batchIndices(pool, 3, 7, b)));
  t.notDeepEqual(epoch0, epoch1, 'each epoch reshuffles');
});

test('trainingBatches scales, pads and labels, and a resumed stream continues identically', async (t) => {
  const options = { batchSize: 4, seed: 3, imageSize: 4, fit: 'pad' as const, prefetchBatches: 2 };
  const before = tf.memory().numTensors;
  const iterator = await trainingBatches(split, options).iterator();
  const { value } = await iterator.next();
  t.deepEqual(value.images.shape, [4, 4, 4, 1]);
  const indices = Array.from(value.indices.dataSync() as Int32Array);
  t.deepEqual(Array.from(value.labels.dataSync() as Int32Array), indices.map((i) => i % 3));
  const pixels = value.images.arraySync() as number[][][][];
  t.is(pixels[0][0][0][0], -1, 'padding is the background value −1');
  t.true(Math.abs(pixels[0][1][1][0] - ((20 * indices[0]) / 127.5 - 1)) < 1e-6, 'x / 127.5 − 1 in the centre');
  tf.dispose([value.images, value.labels, value.indices]);

  const uninterrupted = await take(trainingBatches(split, options), 5);
  const resumed = await take(trainingBatches(split, { ...options, startBatch: 2 }), 3);
  t.deepEqual(resumed, uninterrupted.slice(2), 'batches 2..4 are the same when starting at batch 2');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.true(tf.memory().numTensors - before <= 2 * 3 * 3, 'only prefetched batches stay alive');
});

test('a subset of indices and replacement labels', async (t) => {
  const labels = Int32Array.from({ length: 10 }, (_, i) => 100 + i);
  const iterator = await trainingBatches(split, {
    batchSize: 2,
    seed: 0,
    imageSize: 2,
    fit: 'pad',
    prefetchBatches: 0,
    indices: Int32Array.from([1, 5, 8]),
    labels,
  }).iterator();
  for (let step = 0; step < 4; step++) {
    const { value } = await iterator.next();
    const indices = Array.from(value.indices.dataSync() as Int32Array);
    t.true(indices.every((i) => [1, 5, 8].includes(i)));
    t.deepEqual(Array.from(value.labels.dataSync() as Int32Array), indices.map((i) => 100 + i));
    tf.dispose([value.images, value.labels, value.indices]);
  }
  t.throws(() => trainingBatches(split, { batchSize: 11, seed: 0, imageSize: 2, fit: 'pad', prefetchBatches: 0 }), {
    message: /batch size 11 is larger than the 10 images/,
  });
});

test('fitToSize pads 28→32 evenly and resizes on request', (t) => {
  const before = tf.memory().numTensors;
  const x = tf.tidy(() => scaleToSymmetric(tf.fill([1, 28, 28, 1], 255, 'int32') as tf.Tensor4D));
  const padded = fitToSize(x, 32, 'pad');
  t.deepEqual(padded.shape, [1, 32, 32, 1]);
  const data = padded.arraySync() as number[][][][];
  t.is(data[0][1][1][0], -1);
  t.is(data[0][2][2][0], 1, 'two pixels of padding on each side');
  t.is(data[0][29][29][0], 1);
  t.is(data[0][30][30][0], -1);
  const resized = fitToSize(x, 32, 'resize');
  t.deepEqual(resized.shape, [1, 32, 32, 1]);
  t.true(Math.abs((resized.arraySync() as number[][][][])[0][0][0][0] - 1) < 1e-6);
  tf.dispose([x, padded, resized]);
  t.is(tf.memory().numTensors, before);
});
