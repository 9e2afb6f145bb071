import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { classificationAccuracyScore } from '../../src/eval/cas.js';
import { NUM_CLASSES, squaresSplit, SILENT } from './fixtures.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

// Stand-ins for generated images: real-looking squares labelled with the class they show (a
// generator that honours its labels) or with the next class (one that ignores them consistently).
test('CAS: a classifier trained on images whose labels match scores well on the real test set; mismatched labels score near 0', async (t) => {
  const generated = squaresSplit(192, 7, 'fake');
  const realTest = squaresSplit(60, 8, 'test');
  const request = { test: realTest, numClasses: NUM_CLASSES, geometry: { imageSize: 8, fit: 'pad' as const }, width: 2, epochs: 6, seed: 0, progressStream: SILENT };
  const before = tf.memory().numTensors;
  const honest = await classificationAccuracyScore({ ...request, generated });
  const shifted = await classificationAccuracyScore({ ...request, generated: { ...generated, labels: generated.labels.map((y) => (y + 1) % NUM_CLASSES) } });
  t.is(tf.memory().numTensors, before, 'the CAS classifier is disposed');
  t.is(honest.trainImages, 192);
  t.is(honest.testImages, 60);
  t.true(honest.accuracy > 0.8, `honest labels: ${honest.accuracy}`);
  t.true(shifted.accuracy < 0.2, `shifted labels: ${shifted.accuracy}`);
});
