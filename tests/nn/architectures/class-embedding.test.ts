import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURE_NAMES, buildGenerator } from '../../../src/nn/architectures/index.js';
import { maxAbsDiff, roundTrip } from '../layers/helpers.js';
import { labels } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const tiny = { zDim: 8, numClasses: 3, width: 4, imageSize: 16, channels: 1 as const, seed: 5 };

/**
 * Images of one z repeated for classes 0, 1, 2 and a second z for class 0, in training mode (batch
 * statistics: at initialisation, inference-mode activations are too small to compare).
 */
function perClass(g: tf.LayersModel): tf.Tensor4D {
  return tf.tidy(() => {
    const z = tf.concat([tf.tile(tf.randomNormal([1, 8], 0, 1, 'float32', 7), [3, 1]), tf.randomNormal([1, 8], 0, 1, 'float32', 8)]);
    return g.apply([z, labels([0, 1, 2, 0])], { training: true }) as tf.Tensor4D;
  });
}

for (const architecture of ARCHITECTURE_NAMES) {
  test(`${architecture}: with gan.classEmbeddingDim the class changes G's output from the first step; without it a fresh G ignores the class`, async (t) => {
    const plain = buildGenerator(architecture, tiny);
    const embedded = buildGenerator(architecture, { ...tiny, classEmbeddingDim: 6 });
    t.throws(() => plain.getLayer('g_class_embedding'));
    t.deepEqual(embedded.getLayer('g_class_embedding').outputShape, [null, 1, 6]);
    t.deepEqual(embedded.getLayer('g_latent').outputShape, [null, 14]);
    const [a, b] = [perClass(plain), perClass(embedded)];
    const rows = (x: tf.Tensor4D, i: number) => tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
    // Conditional batch norm starts as the identity for every class: the same z gives the same image.
    t.is(maxAbsDiff(rows(a, 0), rows(a, 1)), 0);
    t.true(maxAbsDiff(rows(a, 0), rows(a, 3)) > 1e-3, 'another z does change the image');
    t.true(maxAbsDiff(rows(b, 0), rows(b, 1)) > 1e-3);
    // The layers are tfjs's own: the model saves and loads without s3gan's custom classes for them.
    const loaded = await roundTrip(embedded);
    t.true(maxAbsDiff(perClass(loaded), b) < 1e-6);
    tf.dispose([a, b]);
    [plain, embedded, loaded].forEach((m) => m.dispose());
  });
}
