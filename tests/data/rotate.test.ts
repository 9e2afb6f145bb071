import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { allRotations, gatherRotated, rot90 } from '../../src/data/rotate.js';

// One 3×3 single-channel image with distinct pixels:
//   1 2 3
//   4 5 6
//   7 8 9
const image = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);

test.before(async () => {
  await tf.setBackend('cpu');
});

test.serial('rot90 matches numpy.rot90 for k = 0..3 (counter-clockwise)', (t) => {
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

test.serial('allRotations stacks four blocks with labels 0..3 and keeps channels', (t) => {
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

test.serial('gatherRotated equals rot90 per pick, and so does its gradient, in one gather', async (t) => {
  const images = tf.randomUniform([3, 5, 5, 2], -1, 1, 'float32', 2) as tf.Tensor4D;
  const picks = [{ image: 2, turns: 3 }, { image: 0, turns: 0 }, { image: 1, turns: 1 }, { image: 2, turns: 2 }, { image: 2, turns: 1 }];
  const weights = tf.randomUniform([picks.length, 5, 5, 2], -1, 1, 'float32', 3);
  const before = tf.memory().numTensors;
  const viaGather = (x: tf.Tensor4D) => gatherRotated(x, picks);
  const viaRot90 = (x: tf.Tensor4D) => tf.tidy(() => tf.concat(picks.map(({ image, turns }) => rot90(tf.slice(x, [image], [1]), turns))));
  const gathered = viaGather(images);
  const reference = viaRot90(images);
  t.deepEqual(Array.from(gathered.dataSync()), Array.from(reference.dataSync()), 'values');
  const loss = (f: (x: tf.Tensor4D) => tf.Tensor4D) => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor4D), weights)));
  const [dGather, dRot90] = [loss(viaGather)(images), loss(viaRot90)(images)];
  // Image 2 is picked three times: its gradient is a sum of three terms, added in another order.
  const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(dGather, dRot90))).dataSync()[0]);
  t.true(worst < 1e-6, `gradient differs by ${worst}`);
  tf.dispose([gathered, reference, dGather, dRot90]);
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  const profile = await tf.profile(() => tf.dispose(gatherRotated(images, picks)));
  t.deepEqual(profile.kernels.map((k) => k.name).filter((n) => n !== 'Reshape'), ['GatherV2'], 'one gather');
  t.throws(() => gatherRotated(images, [{ image: 3, turns: 0 }]), { message: /outside 3 images/ });
  t.throws(() => gatherRotated(images, [{ image: 0, turns: 4 }]), { message: /turns 4/ });
  tf.dispose([images, weights]);
});
