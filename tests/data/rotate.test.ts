import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { allRotations, rot90 } from '../../src/data/rotate.js';

// One 3×3 single-channel image with distinct pixels:
//   1 2 3
//   4 5 6
//   7 8 9
const image = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);

test.before(async () => {
  await tf.setBackend('cpu');
});

test('rot90 matches numpy.rot90 for k = 0..3 (counter-clockwise)', (t) => {
  const expected: Record<number, number[]> = {
    0: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    1: [3, 6, 9, 2, 5, 8, 1, 4, 7],
    2: [9, 8, 7, 6, 5, 4, 3, 2, 1],
    3: [7, 4, 1, 8, 5, 2, 9, 6, 3],
  };
  for (const k of [0, 1, 2, 3]) {
    const rotated = rot90(image, k);
    t.deepEqual(Array.from(rotated.dataSync()), expected[k], `k=${k}`);
    rotated.dispose();
  }
  const before = tf.memory().numTensors;
  const twice = tf.tidy(() => rot90(rot90(image, 1), 1));
  const half = rot90(image, 2);
  t.deepEqual(Array.from(twice.dataSync()), Array.from(half.dataSync()), 'two quarter turns are a half turn');
  const full = rot90(image, 4);
  t.deepEqual(Array.from(full.dataSync()), expected[0]);
  tf.dispose([twice, half, full]);
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
});

test('allRotations stacks four blocks with labels 0..3 and keeps channels', (t) => {
  const rgb = tf.randomUniform([2, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const { images, rotationLabels } = allRotations(rgb);
  t.deepEqual(images.shape, [8, 4, 4, 3]);
  t.deepEqual(Array.from(rotationLabels.dataSync()), [0, 0, 1, 1, 2, 2, 3, 3]);
  const third = images.slice([2], [2]);
  const direct = rot90(rgb, 1);
  t.deepEqual(Array.from(third.dataSync()), Array.from(direct.dataSync()));
  tf.dispose([images, rotationLabels, third, direct]);
  t.is(tf.memory().numTensors, before);
  rgb.dispose();
});
