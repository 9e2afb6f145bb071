import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../src/data/registry.js';
import { fitToSize } from '../../src/data/transforms.js';
import { classifierAccuracy } from '../../src/eval/classifier-training.js';
import { loadShippedNetwork, SHIPPED_GEOMETRY, shippedNetworkDir, toShippedGeometry, weightsSha256, type ShippedNetworkDataset } from '../../src/eval/shipped-network.js';
import { tempDir } from '../cli/helpers.js';

const cacheDir = tempDir('s3gan-shipped-network-');
/**
 * Test images scored per dataset: every fifth image of the split, so the subset spans all of it (the
 * first MNIST test images are from harder writers than the rest).
 */
const TEST_IMAGES = 2000;
const STRIDE = 5;

test.before(async () => {
  await tf.setBackend('cpu');
});

const scores = test.macro(async (t, dataset: ShippedNetworkDataset, minimum: number) => {
  const network = await loadShippedNetwork(dataset);
  try {
    const data = await loadDataset({ name: dataset, cacheDir, imageSize: 28, skipCorrupt: false });
    const indices = Int32Array.from({ length: TEST_IMAGES }, (_, i) => i * STRIDE);
    const accuracy = await classifierAccuracy(network.model, data.test!, indices, SHIPPED_GEOMETRY);
    t.true(accuracy >= minimum, `${dataset}: ${(100 * accuracy).toFixed(2)} % on every ${STRIDE}th of the test images (${TEST_IMAGES})`);
    t.log(`${dataset}: ${(100 * accuracy).toFixed(2)} % on ${TEST_IMAGES} test images`);
    const recorded = JSON.parse(readFileSync(path.join(shippedNetworkDir(dataset), 'network.json'), 'utf8')) as { weightsSha256: string; testAccuracy: number };
    t.is(network.info.weightsSha256, recorded.weightsSha256);
    t.is(await weightsSha256(shippedNetworkDir(dataset)), recorded.weightsSha256);
    t.is(network.info.testAccuracy, recorded.testAccuracy);
    t.regex(network.info.id, new RegExp(`^shipped-${dataset}-${recorded.weightsSha256.slice(0, 16)}$`));
  } finally {
    network.model.dispose();
  }
});

test.serial('the shipped MNIST network loads and scores at least 99 % on test images', scores, 'mnist', 0.99);
test.serial('the shipped Fashion-MNIST network loads and scores at least 90 % on test images', scores, 'fashion-mnist', 0.9);

test('toShippedGeometry: 32-pixel padded images pass unchanged; 28, 8 (resized) and 64 (padded) come back to the 32-pixel padded digit', (t) => {
  tf.tidy(() => {
    const digit = tf.randomUniform([2, 28, 28, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
    const expected = fitToSize(digit, 32, 'pad');
    const same = toShippedGeometry(expected, { imageSize: 32, fit: 'pad' });
    t.deepEqual(same.arraySync(), expected.arraySync());
    t.deepEqual(toShippedGeometry(digit, { imageSize: 28, fit: 'pad' }).arraySync(), expected.arraySync());
    const padded64 = fitToSize(digit, 64, 'pad');
    t.deepEqual(toShippedGeometry(padded64, { imageSize: 64, fit: 'pad' }).arraySync(), expected.arraySync());
    const small = toShippedGeometry(fitToSize(digit, 8, 'resize'), { imageSize: 8, fit: 'resize' });
    t.deepEqual(small.shape, [2, 32, 32, 1]);
    // The border stays background (−1) whatever the input size.
    t.is(tf.max(tf.slice(small, [0, 0, 0, 0], [-1, 2, -1, -1])).dataSync()[0], -1);
    t.true(tf.max(tf.abs(tf.sub(small, expected))).dataSync()[0] > 0, 'a resized input is not the original digit');
  });
});
