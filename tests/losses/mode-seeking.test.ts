import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { MODE_SEEKING_EPSILON, modeSeekingLoss, pairedLabels, pairedRows } from '../../src/losses/mode-seeking.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

// Four 1×1 two-channel "images" and their z (B = 4, h = 2; pairs (0, 2) and (1, 3)):
//   images: r0 = [0, 0], r1 = [1, 1], r2 = [0.5, −0.5], r3 = [0.25, 1.5]
//     |r0 − r2| = [0.5, 0.5], |r1 − r3| = [0.75, 0.5]  → mean = 2.25 / 4 = 0.5625
//   z: z0 = [0, 0], z1 = [1, 1], z2 = [1, 0], z3 = [1, 3]
//     |z0 − z2| = [1, 0], |z1 − z3| = [0, 2]            → mean = 3 / 4 = 0.75
//   ratio = 0.5625 / 0.75 = 0.75, loss = 1 / (0.75 + 1e-5) = 1.3333155558
const IMAGES = [0, 0, 1, 1, 0.5, -0.5, 0.25, 1.5];
const Z = [0, 0, 1, 1, 1, 0, 1, 3];
const EXPECTED_RATIO = 0.75;
const EXPECTED_LOSS = 1.3333155558;

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, what: string, tolerance = 1e-5): void {
  t.true(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

/** The batch above, plus (odd batches) a last row of `extra` with no partner. */
function inputs(extra?: { image: [number, number]; z: [number, number] }) {
  const images = extra === undefined ? IMAGES : [...IMAGES, ...extra.image];
  const z = extra === undefined ? Z : [...Z, ...extra.z];
  const batch = images.length / 2;
  return { fakes: tf.tensor4d(images, [batch, 1, 1, 2]), z: tf.tensor2d(z, [batch, 2]) };
}

test('modeSeekingLoss: the hand-computed ratio and loss, leaving no tensor behind', (t) => {
  t.is(MODE_SEEKING_EPSILON, 1e-5);
  const { fakes, z } = inputs();
  const before = tf.memory().numTensors;
  const { loss, ratio } = modeSeekingLoss(fakes, z);
  t.deepEqual(loss.shape, []);
  close(t, ratio.dataSync()[0], EXPECTED_RATIO, 'ratio');
  close(t, loss.dataSync()[0], EXPECTED_LOSS, 'loss');
  tf.dispose([loss, ratio]);
  t.is(tf.memory().numTensors, before);
  tf.dispose([fakes, z]);
});

test('modeSeekingLoss: an odd batch leaves its last row out', (t) => {
  const { fakes, z } = inputs({ image: [9, -9], z: [5, 5] });
  const { loss, ratio } = modeSeekingLoss(fakes, z);
  close(t, ratio.dataSync()[0], EXPECTED_RATIO, 'ratio');
  close(t, loss.dataSync()[0], EXPECTED_LOSS, 'loss');
  tf.dispose([loss, ratio, fakes, z]);
});

test('modeSeekingLoss: identical images in every pair give 1/ε; a batch of one is refused', (t) => {
  const fakes = tf.tensor4d([1, 2, 1, 2], [2, 1, 1, 2]);
  const z = tf.tensor2d([0, 0, 1, 1], [2, 2]);
  const { loss, ratio } = modeSeekingLoss(fakes, z);
  t.is(ratio.dataSync()[0], 0);
  close(t, loss.dataSync()[0], 1 / MODE_SEEKING_EPSILON, 'loss');
  t.throws(() => modeSeekingLoss(tf.slice(fakes, 0, 1), tf.slice(z, 0, 1)), { message: /B ≥ 2/ });
  tf.dispose([loss, ratio, fakes, z]);
});

test('modeSeekingLoss: the gradient w.r.t. the images matches central finite differences (the unpaired row gets none)', (t) => {
  const { fakes, z } = inputs({ image: [0.3, 0.7], z: [2, 2] });
  const lossOf = (images: tf.Tensor): tf.Scalar => modeSeekingLoss(images as tf.Tensor4D, z).loss;
  const analytic = tf.tidy(() => tf.grad(lossOf)(fakes).dataSync().slice());
  // Every paired difference is ≥ 0.5 away from |·|'s kink, so a step of 1e-2 stays on one linear piece.
  const step = 1e-2;
  const values = fakes.dataSync();
  for (let i = 0; i < values.length; i++) {
    const shifted = (delta: number) =>
      tf.tidy(() => {
        const copy = Float32Array.from(values);
        copy[i] += delta;
        return lossOf(tf.tensor4d(copy, fakes.shape)).dataSync()[0];
      });
    const numeric = (shifted(step) - shifted(-step)) / (2 * step);
    t.true(Math.abs(analytic[i] - numeric) <= 1e-3 * Math.max(1e-2, Math.abs(numeric)), `d loss / d image[${i}]: ${analytic[i]} vs ${numeric}`);
  }
  // Hand check of one entry: ∂loss/∂r0[0] = −1/(ratio + ε)² · sign(r0[0] − r2[0]) / (4 · mean|z0:2 − z2:4|)
  //   = −1/0.75001² · (−1) / (4 · 0.75) = 1 / (3 · 0.75001²).
  close(t, analytic[0], 1 / (3 * 0.75001 * 0.75001), 'analytic[0]', 1e-4);
  t.deepEqual(Array.from(analytic.slice(8)), [0, 0], 'the unpaired last row');
  tf.dispose([fakes, z]);
});

test('pairedRows / pairedLabels: the second half repeats the first half (even and odd batches)', (t) => {
  t.deepEqual(Array.from(pairedRows(2)), [0, 0]);
  t.deepEqual(Array.from(pairedRows(4)), [0, 1, 0, 1]);
  t.deepEqual(Array.from(pairedRows(5)), [0, 1, 0, 1, 2]);
  t.deepEqual(Array.from(pairedRows(8)), [0, 1, 2, 3, 0, 1, 2, 3]);
  const labels = tf.tensor1d([7, 8, 9, 6, 5], 'int32');
  const before = tf.memory().numTensors;
  const paired = pairedLabels(labels);
  t.is(paired.dtype, 'int32');
  t.deepEqual(Array.from(paired.dataSync()), [7, 8, 7, 8, 9]);
  paired.dispose();
  t.is(tf.memory().numTensors, before);
  const even = tf.tensor1d([3, 1, 4, 1, 5, 9], 'int32');
  const pairedEven = pairedLabels(even);
  t.deepEqual(Array.from(pairedEven.dataSync()), [3, 1, 4, 3, 1, 4]);
  tf.dispose([labels, even, pairedEven]);
});
