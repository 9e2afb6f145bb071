import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_ANGULAR_WEIGHT,
  DEFAULT_TRIPLET_MARGIN,
  drawTripletPermutations,
  manifoldMatchingLoss,
  metricTripletLoss,
  tripletLoss,
} from '../../../src/losses/manifold/mvm.js';
import { pairwiseSquaredDistances } from '../../../src/losses/manifold/geometry.js';
import { Rng } from '../../../src/util/rng.js';
import { checkGradient, close, randomMatrix, scalar } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

// Two triplets in 2-D:
//   0: a = (0, 0), p = (1, 0), n = (0, 0.5): d+ = 1, d− = 0.25, cos((0, 0.5), (1, 0)) = 0
//   1: a = (1, 0), p = (1, 1), n = (2, 1):   d+ = 1, d− = 2,    cos((1, 1), (0, 1)) = 1/√2
//   c = Σ cos = 0.7071068; separated (d− > d+): triplet 1 only → 0.5.
const ANCHOR = [0, 0, 1, 0];
const POSITIVE = [1, 0, 1, 1];
const NEGATIVE = [0, 0.5, 2, 1];
const COS_SUM = Math.SQRT1_2;

function triplet(): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  return [tf.tensor2d(ANCHOR, [2, 2]), tf.tensor2d(POSITIVE, [2, 2]), tf.tensor2d(NEGATIVE, [2, 2])];
}

test('the reference defaults: margin 1, angular weight 0.01', (t) => {
  t.is(DEFAULT_TRIPLET_MARGIN, 1);
  t.is(DEFAULT_ANGULAR_WEIGHT, 0.01);
});

test('tripletLoss: mean relu(d+ − d− + m − α·Σcos) on squared distances, known answers', (t) => {
  const [a, p, n] = triplet();
  const before = tf.memory().numTensors;
  // Defaults m = 1, α = 0.01: v0 = 1 − 0.25 + 1 − 0.0070711 = 1.7429289, v1 = 1 − 2 + 1 − 0.0070711 < 0 → 0.
  const defaults = tripletLoss(a, p, n);
  close(t, scalar(defaults.loss), (1.75 - 0.01 * COS_SUM) / 2, 'default loss');
  close(t, scalar(defaults.angular), COS_SUM, 'angular term');
  close(t, scalar(defaults.separatedFraction), 0.5, 'separated fraction');
  // m = 3, α = 0.5: v0 = 3.75 − 0.3535534 = 3.3964466, v1 = 2 − 0.3535534 = 1.6464466.
  const wide = tripletLoss(a, p, n, { margin: 3, angularWeight: 0.5 });
  close(t, scalar(wide.loss), (3.3964466 + 1.6464466) / 2, 'm = 3, α = 0.5');
  // The StyleGAN2 variant's softplus: mean ln(1 + e^v).
  const soft = tripletLoss(a, p, n, { margin: 3, angularWeight: 0.5, form: 'softplus' });
  const softplus = (v: number) => Math.log1p(Math.exp(v));
  close(t, scalar(soft.loss), (softplus(3.3964466) + softplus(1.6464466)) / 2, 'softplus');
  tf.dispose([defaults, wide, soft].flatMap((r) => [r.loss, r.angular, r.separatedFraction]));
  t.is(tf.memory().numTensors, before);
  tf.dispose([a, p, n]);
});

test('tripletLoss: the angular term is summed over the batch, not averaged (it grows with B)', (t) => {
  // The same triplet twice: c doubles, so with α = 1 and m = 5 each hinge drops by 2·cos, not cos.
  const a = tf.tensor2d([1, 0, 1, 0], [2, 2]);
  const p = tf.tensor2d([1, 1, 1, 1], [2, 2]);
  const n = tf.tensor2d([2, 1, 2, 1], [2, 2]);
  const out = tripletLoss(a, p, n, { margin: 5, angularWeight: 1 });
  close(t, scalar(out.angular), 2 * COS_SUM, 'c');
  close(t, scalar(out.loss), 1 - 2 + 5 - 2 * COS_SUM, 'loss');
  tf.dispose([a, p, n, out.loss, out.angular, out.separatedFraction]);
});

test('tripletLoss: a positive equal to its anchor (a fixed point of the permutation) gives cos 0 and finite gradients', (t) => {
  const a = tf.tensor2d([0, 0, 1, 0], [2, 2]);
  const p = tf.tensor2d([0, 0, 1, 1], [2, 2]);
  const n = tf.tensor2d([1, 1, 2, 1], [2, 2]);
  const out = tripletLoss(a, p, n, { margin: 3, angularWeight: 0.5 });
  close(t, scalar(out.angular), COS_SUM, 'only triplet 1 contributes a cosine');
  const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tripletLoss(x as tf.Tensor2D, y as tf.Tensor2D, n, { margin: 3, angularWeight: 0.5 }).loss)([a, p]);
  t.true(grads.every((g) => Array.from(g.dataSync()).every(Number.isFinite)));
  tf.dispose([a, p, n, out.loss, out.angular, out.separatedFraction, ...grads]);
});

test('tripletLoss gradients match central finite differences for anchor, positive and negative', (t) => {
  // Margin 20 keeps every hinge active, away from the kink; α = 0.5 makes the cosine term count.
  const options = { margin: 20, angularWeight: 0.5 };
  const a = randomMatrix(3, 2, 1);
  const p = randomMatrix(3, 2, 2);
  const n = randomMatrix(3, 2, 3, 2);
  checkGradient(t, (x) => tripletLoss(x, p, n, options).loss, a, 'anchor');
  checkGradient(t, (x) => tripletLoss(a, x, n, options).loss, p, 'positive');
  checkGradient(t, (x) => tripletLoss(a, p, x, options).loss, n, 'negative');
  checkGradient(t, (x) => tripletLoss(a, p, x, { ...options, form: 'softplus', margin: 1 }).loss, n, 'negative, softplus');
  tf.dispose([a, p, n]);
});

test('metricTripletLoss: anchor = real, positive = real[r1], negative = fake[r2]', (t) => {
  // real rows (0,0), (1,0); fake rows (2,1), (0,0.5); r1 = [1, 0], r2 = [1, 0]:
  //   triplet 0: a (0,0), p (1,0), n (0,0.5); triplet 1: a (1,0), p (0,0), n (2,1).
  //   d+ = 1, 1; d− = 0.25, 2; cos: 0 and cos((1,1), (−1,0)) = −1/√2 → c = −0.7071068.
  //   m = 3, α = 0.5: v0 = 3.75 + 0.3535534, v1 = 2 + 0.3535534.
  const real = tf.tensor2d([0, 0, 1, 0], [2, 2]);
  const fake = tf.tensor2d([2, 1, 0, 0.5], [2, 2]);
  const permutations = { positive: tf.tensor1d([1, 0], 'int32'), negative: tf.tensor1d([1, 0], 'int32') };
  const before = tf.memory().numTensors;
  const out = metricTripletLoss(real, fake, permutations, { margin: 3, angularWeight: 0.5 });
  close(t, scalar(out.angular), -COS_SUM, 'c');
  close(t, scalar(out.loss), (3.75 + 2 + 2 * 0.5 * COS_SUM) / 2, 'loss');
  close(t, scalar(out.separatedFraction), 0.5, 'separated');
  tf.dispose([out.loss, out.angular, out.separatedFraction]);
  t.is(tf.memory().numTensors, before);
  t.throws(() => metricTripletLoss(real, fake, { ...permutations, negative: tf.tensor1d([0, 1, 1], 'int32') }), { message: /negative permutation/ });
  tf.dispose([real, fake, permutations.positive, permutations.negative]);
});

test('drawTripletPermutations: two permutations from the caller\'s Rng, positive first, reproducible', (t) => {
  const drawn = drawTripletPermutations(16, new Rng(7, 3));
  const again = drawTripletPermutations(16, new Rng(7, 3));
  const rng = new Rng(7, 3);
  const [positive, negative] = [rng.permutation(16), rng.permutation(16)];
  t.deepEqual(Array.from(drawn.positive.dataSync()), Array.from(positive));
  t.deepEqual(Array.from(drawn.negative.dataSync()), Array.from(negative));
  t.deepEqual(Array.from(again.positive.dataSync()), Array.from(positive));
  t.deepEqual([...drawn.positive.dataSync()].sort((x, y) => x - y), Array.from({ length: 16 }, (_, i) => i));
  t.notDeepEqual(Array.from(positive), Array.from(negative));
  t.is(drawn.positive.dtype, 'int32');
  tf.dispose([drawn.positive, drawn.negative, again.positive, again.negative]);
});

test('pairwiseSquaredDistances: ‖x_i − y_j‖² for every pair', (t) => {
  const x = tf.tensor2d([0, 0, 1, 2], [2, 2]);
  const y = tf.tensor2d([1, 0, 3, 4, 0, 0], [3, 2]);
  const d = pairwiseSquaredDistances(x, y);
  t.deepEqual(d.shape, [2, 3]);
  Array.from(d.dataSync()).forEach((v, i) => close(t, v, [1, 25, 0, 4, 8, 5][i], `entry ${i}`));
  tf.dispose([x, y, d]);
});

test('manifoldMatchingLoss: Frobenius norm of the squared-distance matrices\' difference plus the centroid distance (both rooted)', (t) => {
  const before = tf.memory().numTensors;
  // real (0,0), (1,0): P = [[0,1],[1,0]]; fake (0,0), (0,2): P = [[0,4],[4,0]] → ‖·‖_F = √18.
  // centroids (0.5, 0) and (0, 1) → √1.25.
  tf.tidy(() => {
    const out = manifoldMatchingLoss(tf.tensor2d([0, 0, 1, 0], [2, 2]), tf.tensor2d([0, 0, 0, 2], [2, 2]));
    close(t, scalar(out.diameter), Math.sqrt(18), 'diameter');
    close(t, scalar(out.centroid), Math.sqrt(1.25), 'centroid');
    close(t, scalar(out.total), Math.sqrt(18) + Math.sqrt(1.25), 'total');
  });
  // Three points: real (0,0), (1,0), (0,1): d01 = 1, d02 = 1, d12 = 2; fake (0,0), (2,0), (0,1):
  // d01 = 4, d02 = 1, d12 = 5 → differences −3, 0, −3, each twice → √36 = 6; centroids differ by (1/3, 0).
  tf.tidy(() => {
    const out = manifoldMatchingLoss(tf.tensor2d([0, 0, 1, 0, 0, 1], [3, 2]), tf.tensor2d([0, 0, 2, 0, 0, 1], [3, 2]));
    close(t, scalar(out.diameter), 6, 'diameter, 3 points');
    close(t, scalar(out.centroid), 1 / 3, 'centroid, 3 points');
  });
  t.is(tf.memory().numTensors, before);
});

test('manifoldMatchingLoss: identical sets give 0 and a zero, finite gradient', (t) => {
  const x = tf.tensor2d([0, 0, 1, 0, 0, 1], [3, 2]);
  const out = manifoldMatchingLoss(x, x);
  close(t, scalar(out.total), 0, 'total');
  const g = tf.grad((f: tf.Tensor) => manifoldMatchingLoss(x, f as tf.Tensor2D).total)(x);
  t.true(Array.from(g.dataSync()).every((v) => v === 0), Array.from(g.dataSync()).join(' '));
  tf.dispose([x, g, out.total, out.diameter, out.centroid]);
});

test('manifoldMatchingLoss gradients match central finite differences for fake and real', (t) => {
  const real = randomMatrix(4, 3, 11);
  const fake = randomMatrix(4, 3, 12, 0.5);
  checkGradient(t, (x) => manifoldMatchingLoss(real, x).total, fake, 'fake, total');
  checkGradient(t, (x) => manifoldMatchingLoss(real, x).diameter, fake, 'fake, diameter');
  checkGradient(t, (x) => manifoldMatchingLoss(real, x).centroid, fake, 'fake, centroid');
  checkGradient(t, (x) => manifoldMatchingLoss(x, fake).total, real, 'real, total');
  tf.dispose([real, fake]);
});

test('shapes are checked', (t) => {
  tf.tidy(() => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    t.throws(() => tripletLoss(a, a, tf.zeros([3, 3]) as tf.Tensor2D), { message: /negative must be \[2, 3\]/ });
    t.throws(() => manifoldMatchingLoss(a, tf.zeros([2, 4]) as tf.Tensor2D), { message: /fake must be \[2, 3\]/ });
    t.throws(() => manifoldMatchingLoss(tf.zeros([2]) as unknown as tf.Tensor2D, a), { message: /real must be float32 \[N, F\]/ });
  });
});
