/**
 * ProGAN's pieces (docs/ALGORITHMS.md § ProGAN): shapes at every resolution of the growth, the
 * fade-in of G, D and the reals, the growth schedule's α, equalized-lr scaling, the minibatch
 * standard deviation and pixel norm against hand-computed values, the growth travelling with the
 * weights, the in-place Adam reset; every network call leaves the tensor count unchanged.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { realsAtGrowth } from '../../../src/data/progressive-reals.js';
import { applyDiscriminator } from '../../../src/nn/architectures/discriminator-record.js';
import { getGrowth, proganDiscriminator, proganGenerator, setGrowth } from '../../../src/nn/architectures/progan.js';
import { equalizedConv, heConstant, minibatchStddev, pixelNorm, upscaleNearest } from '../../../src/nn/layers/progan-ops.js';
import { GrowthSchedule, resetAdam } from '../../../src/training/gan/growth-schedule.js';
import { fusedAdam } from '../../../src/training/common/fused-adam.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const SIZE = 16;
const common = { numClasses: 0, width: 2, imageSize: SIZE, channels: 1 as const, seed: 4 };
const generator = () => proganGenerator({ ...common, zDim: 4 });
const discriminator = (numClasses = 0) => proganDiscriminator({ ...common, numClasses, rotationHead: false, classifierHead: false });

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test('shapes at every resolution: G draws [B, S, S, c] made of (S/r)² blocks, D scores [B, 1] from h [B, nf(4)]', (t) => {
  const g = generator();
  const d = discriminator();
  const z = tf.randomNormal([4, 4], 0, 1, 'float32', 1);
  for (const resolution of [4, 8, 16]) {
    for (const alpha of [0.3, 1]) {
      const before = tf.memory().numTensors;
      setGrowth(g, { resolution, alpha });
      setGrowth(d, { resolution, alpha });
      const images = g.apply(z) as tf.Tensor4D;
      t.deepEqual(images.shape, [4, SIZE, SIZE, 1]);
      // Every (S/r) × (S/r) block is one pixel of the r × r image.
      const factor = SIZE / resolution;
      const pixels = tf.stridedSlice(images, [0, 0, 0, 0], [4, SIZE, SIZE, 1], [1, factor, factor, 1]) as tf.Tensor4D;
      const blocks = upscaleNearest(pixels, factor);
      t.is(maxAbsDiff(blocks, images), 0, `${resolution}: block-constant`);
      const record = applyDiscriminator(d, images, { training: true });
      t.deepEqual(record.logit.shape, [4, 1]);
      t.deepEqual(record.features.shape, [4, 8], 'nf(4) = w · min(S/4, 8)');
      tf.dispose([images, pixels, blocks, record.logit, record.features]);
      t.is(tf.memory().numTensors, before, `${resolution}, α ${alpha}: no tensor left behind`);
    }
  }
  tf.dispose(z);
  g.dispose();
  d.dispose();
});

test('fade-in: at α = 0 the new block is invisible (G exactly, D up to pooling order), α interpolates', (t) => {
  const g = generator();
  const d = discriminator();
  const z = tf.randomNormal([4, 4], 0, 1, 'float32', 2);
  const x = tf.randomUniform([4, SIZE, SIZE, 1], -1, 1, 'float32', 3);
  const run = (resolution: number, alpha: number) => {
    setGrowth(g, { resolution, alpha });
    setGrowth(d, { resolution, alpha });
    return [g.apply(z) as tf.Tensor, d.apply(x) as tf.Tensor];
  };
  const [gPrevious, dPrevious] = run(8, 1);
  const [gStart, dStart] = run(16, 0);
  const [gHalf, dHalf] = run(16, 0.5);
  const [gEnd, dEnd] = run(16, 1);
  t.is(maxAbsDiff(gStart, gPrevious), 0);
  t.true(maxAbsDiff(dStart, dPrevious) < 1e-5);
  t.true(maxAbsDiff(gHalf, tf.tidy(() => tf.div(tf.add(gStart, gEnd), 2))) < 1e-5);
  t.true(maxAbsDiff(gEnd, gStart) > 1e-3, 'the new block changes the image');
  t.true(maxAbsDiff(dHalf, dEnd) > 0);
  tf.dispose([z, x, gPrevious, dPrevious, gStart, dStart, gHalf, dHalf, gEnd, dEnd]);
  g.dispose();
  d.dispose();
});

test('the reals fade as G does: average-pooled to r, blended with the half resolution while r fades in', (t) => {
  const x = tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
  const at4 = tf.tidy(() => upscaleNearest(tf.avgPool(x, 2, 2, 'valid') as tf.Tensor4D, 2));
  const cases: [number, number, tf.Tensor][] = [
    [4, 1, at4],
    [8, 0, at4],
    [8, 1, x],
  ];
  for (const [resolution, alpha, expected] of cases) {
    const served = realsAtGrowth(x, { resolution, alpha });
    t.true(maxAbsDiff(served, expected) < 1e-6, `${resolution}, α ${alpha}`);
    if (served !== x) served.dispose();
  }
  const half = realsAtGrowth(x, { resolution: 8, alpha: 0.25 });
  t.true(maxAbsDiff(half, tf.tidy(() => tf.add(tf.mul(at4, 0.75), tf.mul(x, 0.25)))) < 1e-6);
  tf.dispose([x, at4, half]);
});

test('the schedule: α rises linearly over each fade-in, phases follow the images shown, batch size per resolution', (t) => {
  const schedule = new GrowthSchedule(32, 100, new Map([[4, 64], [8, 64], [16, 32], [32, 16]]));
  const at = (images: number) => {
    const { phase, resolution, alpha, batchSize } = schedule.at(images);
    return [phase, resolution, alpha, batchSize];
  };
  t.deepEqual(at(0), [0, 4, 1, 64]);
  t.deepEqual(at(99), [0, 4, 1, 64]);
  t.deepEqual(at(100), [1, 8, 0, 64]);
  t.deepEqual(at(150), [1, 8, 0.5, 64]);
  t.deepEqual(at(175), [1, 8, 0.75, 64]);
  t.deepEqual(at(200), [2, 8, 1, 64]);
  t.deepEqual(at(320), [3, 16, 0.2, 32]);
  t.deepEqual(at(560), [5, 32, 0.6, 16]);
  t.deepEqual(at(600), [6, 32, 1, 16]);
  t.deepEqual(at(1e9), [6, 32, 1, 16], 'the last stable phase lasts');
  t.deepEqual([0, 1, 2, 3, 6].map((phase) => schedule.resolutionOf(phase)), [4, 8, 8, 16, 32]);
});

test("equalized lr: weights are N(0, 1) draws scaled at run time by He's constant √2/√fan-in", (t) => {
  t.is(heConstant(36), Math.SQRT2 / 6);
  t.is(heConstant(8, 1), 1 / Math.sqrt(8));
  const x = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
  const kernel = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 7) as tf.Tensor4D;
  const bias = tf.tensor1d([0, 1, 2, 3, 4]);
  const ours = equalizedConv(x, kernel, bias);
  const plain = tf.tidy(() => tf.add(tf.conv2d(x, tf.mul(kernel, Math.SQRT2 / Math.sqrt(36)) as tf.Tensor4D, 1, 'same'), bias));
  t.true(maxAbsDiff(ours, plain) < 1e-6);
  const g = generator();
  const stored = g.trainableWeights.find((w) => /conv8_1\/kernel(_\d+)?$/.test(w.name))!.read();
  const std = tf.tidy(() => tf.moments(stored).variance.sqrt().dataSync()[0]);
  t.true(std > 0.6 && std < 1.4, `stored kernels are N(0, 1), std ${std}`);
  tf.dispose([x, kernel, bias, ours, plain]);
  g.dispose();
});

test('minibatch standard deviation against hand-computed values (groups n mod B/G)', (t) => {
  // 4 images of one pixel, 2 features; group size 2: group 0 = images 0 and 2, group 1 = images 1 and 3.
  const x = tf.tensor4d([0, 1, 2, 3, 4, 7, 6, 5], [4, 1, 1, 2]);
  const out = minibatchStddev(x, 2);
  t.deepEqual(out.shape, [4, 1, 1, 3]);
  // Group 0: std (0, 4) = 2, std (1, 7) = 3 → 2.5; group 1: std (2, 6) = 2, std (3, 5) = 1 → 1.5.
  const values = Array.from(out.dataSync());
  const expected = [0, 1, 2.5, 2, 3, 1.5, 4, 7, 2.5, 6, 5, 1.5];
  values.forEach((value, i) => t.true(Math.abs(value - expected[i]) < 1e-5, `entry ${i}: ${value} vs ${expected[i]}`));
  const four = minibatchStddev(tf.zeros([8, 2, 2, 3]) as tf.Tensor4D, 4);
  t.deepEqual(four.shape, [8, 2, 2, 4]);
  t.throws(() => minibatchStddev(tf.zeros([6, 1, 1, 1]) as tf.Tensor4D, 4), { message: /batch 6 is not a multiple of the group size 4/ });
  tf.dispose([x, out, four]);
});

test('pixel norm divides each pixel by the root mean square of its channels', (t) => {
  const x = tf.tensor4d([3, 4, 0, 2], [1, 1, 2, 2]);
  const values = Array.from(pixelNorm(x).dataSync());
  const expected = [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5), 0, 2 / Math.sqrt(2)];
  values.forEach((value, i) => t.true(Math.abs(value - expected[i]) < 1e-5, `entry ${i}`));
  x.dispose();
});

test('the growth travels with the weights, and a conditional D projects onto the class', (t) => {
  const g = generator();
  setGrowth(g, { resolution: 8, alpha: 0.25 });
  const copy = generator();
  t.deepEqual(getGrowth(copy), { resolution: SIZE, alpha: 1 }, 'a new network is fully grown');
  copy.setWeights(g.getWeights());
  t.deepEqual(getGrowth(copy), { resolution: 8, alpha: 0.25 });
  t.throws(() => setGrowth(g, { resolution: 32, alpha: 1 }), { message: /resolution 32 is not one of 4, 8, 16/ });
  const d = discriminator(3);
  const x = tf.randomUniform([4, SIZE, SIZE, 1], -1, 1, 'float32', 8);
  const [a, b] = [tf.tensor2d([0, 1, 2, 0], [4, 1], 'int32'), tf.tensor2d([1, 2, 0, 1], [4, 1], 'int32')];
  const [la, lb] = [d.apply([x, a]) as tf.Tensor, d.apply([x, b]) as tf.Tensor];
  t.true(maxAbsDiff(la, lb) > 0, 'the label changes the logit');
  tf.dispose([x, a, b, la, lb]);
  [g, copy, d].forEach((m) => m.dispose());
});

test('resetAdam puts an optimizer back to its first-step state, in place', (t) => {
  const variable = tf.variable(tf.tensor1d([1, -2, 3]), true, 'reset_adam_v');
  const twin = tf.variable(tf.tensor1d([1, -2, 3]), true, 'reset_adam_twin');
  const used = fusedAdam(1e-2, 0, 0.99);
  const fresh = fusedAdam(1e-2, 0, 0.99);
  const step = (optimizer: tf.Optimizer, v: tf.Variable) => optimizer.minimize(() => tf.sum(tf.square(tf.sub(v, 0.5))), false, [v]);
  for (let i = 0; i < 3; i++) step(used, variable);
  variable.assign(twin);
  const before = tf.memory().numTensors;
  resetAdam(used);
  t.is(tf.memory().numTensors, before, 'the same variables, reset in place');
  t.is(used.iterations, 0);
  step(used, variable);
  step(fresh, twin);
  t.deepEqual(Array.from(variable.dataSync()), Array.from(twin.dataSync()));
  [used, fresh].forEach((o) => o.dispose());
  tf.dispose([variable, twin]);
});
