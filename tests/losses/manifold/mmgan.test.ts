import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {
  correlationMatchingLoss,
  correlationMatrix,
  gaussianKernel,
  medianHeuristicBandwidth,
  MIN_SQUARED_BANDWIDTH,
  mmganManifoldLoss,
  rkhsCentroidDistance,
  rkhsRadius,
  uniformSet,
  type WeightedSet,
} from '../../../src/losses/manifold/mmgan.js';
import { checkGradient, close, randomMatrix, scalar } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const Q = Math.exp(-1); // k at squared distance 1 with σ² = 0.5

function set(points: number[], weights?: number[]): WeightedSet {
  const count = points.length / 2;
  return { points: tf.tensor2d(points, [count, 2]), weights: tf.tensor1d(weights ?? new Array<number>(count).fill(1)) };
}

function dispose(...sets: WeightedSet[]): void {
  tf.dispose(sets.flatMap((s) => [s.points, s.weights]));
}

test('gaussianKernel: exp(−‖x − y‖² / 2σ²)', (t) => {
  tf.tidy(() => {
    const k = gaussianKernel(tf.tensor2d([0, 0], [1, 2]), tf.tensor2d([1, 0, 1, 1], [2, 2]), 0.5);
    Array.from(k.dataSync()).forEach((v, i) => close(t, v, [Q, Math.exp(-2)][i], `entry ${i}`));
  });
});

test('rkhsCentroidDistance: ⟨μa,μa⟩ + ⟨μb,μb⟩ − 2⟨μa,μb⟩, known answers', (t) => {
  const before = tf.memory().numTensors;
  const a1 = set([0, 0]);
  const b1 = set([1, 0]);
  const a2 = set([0, 0, 1, 0]);
  const b0 = set([0, 0]);
  const aw = set([0, 0, 1, 0], [3, 1]);
  tf.tidy(() => {
    // One point each: 1 + 1 − 2e⁻¹.
    close(t, scalar(rkhsCentroidDistance(a1, b1, 0.5)), 2 - 2 * Q, 'one point each');
    // {(0,0), (1,0)} vs {(0,0)}: (2 + 2q)/4 + 1 − 2(1 + q)/2 = (1 − q)/2.
    close(t, scalar(rkhsCentroidDistance(a2, b0, 0.5)), (1 - Q) / 2, 'two against one');
    // Weights 3:1 against {(1,0)}: 0.625 + 0.375q + 1 − 2(0.75q + 0.25) = 1.125(1 − q).
    close(t, scalar(rkhsCentroidDistance(aw, b1, 0.5)), 1.125 * (1 - Q), 'weighted');
    close(t, scalar(rkhsCentroidDistance(a2, a2, 0.5)), 0, 'a set against itself');
  });
  dispose(a1, b1, a2, b0, aw);
  t.is(tf.memory().numTensors, before);
});

test('rkhsRadius: weighted mean of ‖φ(x_i) − μ‖_H, known answers', (t) => {
  const one = set([3, 4]);
  const two = set([0, 0, 1, 0]);
  const three = set([0, 0, 1, 0, 0, 1]);
  tf.tidy(() => {
    close(t, scalar(rkhsRadius(one, 0.5)), 0, 'one point');
    // Two points: ⟨φ_i, μ⟩ = ‖μ‖² = (1 + q)/2, so ‖φ_i − μ‖² = (1 − q)/2.
    close(t, scalar(rkhsRadius(two, 0.5)), Math.sqrt((1 - Q) / 2), 'two points');
    // Three points, k01 = k02 = q, k12 = q²: ⟨φ_0, μ⟩ = (1 + 2q)/3, ⟨φ_1, μ⟩ = ⟨φ_2, μ⟩ = (1 + q + q²)/3,
    // ‖μ‖² = (3 + 4q + 2q²)/9.
    const mu2 = (3 + 4 * Q + 2 * Q * Q) / 9;
    const r0 = Math.sqrt(1 - (2 * (1 + 2 * Q)) / 3 + mu2);
    const r1 = Math.sqrt(1 - (2 * (1 + Q + Q * Q)) / 3 + mu2);
    close(t, scalar(rkhsRadius(three, 0.5)), (r0 + 2 * r1) / 3, 'three points');
  });
  dispose(one, two, three);
});

test('medianHeuristicBandwidth: half the median squared distance over pairs i < j, no gradient, floored', (t) => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    // Pairs 1, 4, 5 → median 4 → σ² = 2.
    close(t, scalar(medianHeuristicBandwidth(tf.tensor2d([0, 0, 1, 0, 0, 2], [3, 2]))), 2, 'odd pair count');
    // Pairs 1, 1, 9, 2, 4, 10 → sorted 1 1 2 4 9 10 → median 3 → σ² = 1.5.
    close(t, scalar(medianHeuristicBandwidth(tf.tensor2d([0, 0, 1, 0, 0, 1, 3, 0], [4, 2]))), 1.5, 'even pair count');
    t.is(scalar(medianHeuristicBandwidth(tf.tensor2d([1, 1, 1, 1], [2, 2]))), Math.fround(MIN_SQUARED_BANDWIDTH));
    const x = tf.tensor2d([0, 0, 1, 0, 0, 2], [3, 2]);
    const g = tf.grad((v: tf.Tensor) => medianHeuristicBandwidth(v as tf.Tensor2D))(x);
    t.deepEqual(Array.from(g.dataSync()), [0, 0, 0, 0, 0, 0]);
  });
  t.is(tf.memory().numTensors, before);
  t.throws(() => medianHeuristicBandwidth(tf.zeros([1, 2]) as tf.Tensor2D), { message: /at least 2 points/ });
});

test('correlationMatrix: weighted correlation of the feature dimensions, known answers', (t) => {
  const line = set([0, 0, 1, 2, 2, 4]);
  const bent = set([0, 0, 1, 1, 2, -1]);
  const flat = set([0, 5, 1, 5]);
  // Weights 1:1:2 on x = (0, 1, 2), y = (0, 1, −1): mean (1.25, −0.25); var x = 0.6875, var y = 0.6875,
  // cov = (0.25·(−1.25)(0.25) + 0.25·(−0.25)(1.25) + 0.5·(0.75)(−0.75)) = −0.4375 → corr −0.636364.
  const weighted = set([0, 0, 1, 1, 2, -1], [1, 1, 2]);
  tf.tidy(() => {
    const values = (s: WeightedSet) => Array.from(correlationMatrix(s).dataSync());
    values(line).forEach((v, i) => close(t, v, 1, `collinear ${i}`));
    values(bent).forEach((v, i) => close(t, v, [1, -0.5, -0.5, 1][i], `bent ${i}`));
    // A constant dimension gets a zero row and column.
    values(flat).forEach((v, i) => close(t, v, [1, 0, 0, 0][i], `constant ${i}`, 1e-4));
    values(weighted).forEach((v, i) => close(t, v, [1, -0.4375 / 0.6875, -0.4375 / 0.6875, 1][i], `weighted ${i}`));
    // The regulariser: mean over the 4 entries of (corr(line) − corr(bent))² = 2·1.5² / 4.
    close(t, scalar(correlationMatchingLoss(line, bent)), 1.125, 'matching loss');
  });
  dispose(line, bent, flat, weighted);
});

test('mmganManifoldLoss: λ_c‖μ_r − μ_f‖²_H + λ_r(R_r − R_f)² + λ_ρ mean(corr_r − corr_f)², known answer', (t) => {
  // real {(0,0), (1,0)}, fake {(0,0)}, σ² = 0.5: centroid (1 − q)/2; radii √((1 − q)/2) and 0, so the
  // radius term is (1 − q)/2; corr(real) = [[1,0],[0,0]], corr(fake) = 0 → mean of squares 1/4.
  // total = 2·(1 − q)/2 + 3·(1 − q)/2 + 4·1/4.
  const real = set([0, 0, 1, 0]);
  const fake = set([0, 0]);
  const before = tf.memory().numTensors;
  const out = mmganManifoldLoss(real, fake, { squaredBandwidth: 0.5, centroidWeight: 2, radiusWeight: 3, correlationWeight: 4 });
  close(t, scalar(out.centroid), (1 - Q) / 2, 'centroid');
  close(t, scalar(out.radius), (1 - Q) / 2, 'radius');
  close(t, scalar(out.correlation), 0.25, 'correlation', 1e-4);
  close(t, scalar(out.total), 5 * ((1 - Q) / 2) + 1, 'total', 1e-4);
  tf.dispose([out.total, out.centroid, out.radius, out.correlation]);
  t.is(tf.memory().numTensors, before);
  dispose(real, fake);
});

test('uniformSet gives equal weights', (t) => {
  const points = tf.zeros([4, 3]) as tf.Tensor2D;
  const s = uniformSet(points);
  t.deepEqual(Array.from(s.weights.dataSync()), [0.25, 0.25, 0.25, 0.25]);
  tf.dispose([points, s.weights]);
});

test('gradients with respect to the fake points match central finite differences', (t) => {
  const real = randomMatrix(5, 3, 21);
  const realWeights = tf.tensor1d([1, 2, 3, 1, 1]);
  const fake = randomMatrix(4, 3, 22, 0.7);
  const ones = tf.ones([4]) as tf.Tensor1D;
  const realSet = { points: real, weights: realWeights };
  const fakeSet = (x: tf.Tensor2D) => ({ points: x, weights: ones });
  checkGradient(t, (x) => rkhsCentroidDistance(realSet, fakeSet(x), 0.8), fake, 'centroid distance');
  checkGradient(t, (x) => rkhsRadius(fakeSet(x), 0.8), fake, 'radius');
  checkGradient(t, (x) => correlationMatchingLoss(realSet, fakeSet(x)), fake, 'correlation');
  checkGradient(t, (x) => mmganManifoldLoss(realSet, fakeSet(x), { squaredBandwidth: 0.8 }).total, fake, 'total, fixed σ²');
  // The median heuristic's σ² has no gradient, so a step differentiates the loss at the σ² of the
  // unperturbed batches: computed once here and held fixed while the fakes are perturbed.
  const sigma2 = medianHeuristicBandwidth(tf.concat([real, fake]) as tf.Tensor2D);
  checkGradient(t, (x) => mmganManifoldLoss(realSet, fakeSet(x), { squaredBandwidth: sigma2 }).total, fake, 'total, median σ²');
  tf.dispose([real, realWeights, fake, ones, sigma2]);
});

test('shapes and weights are checked', (t) => {
  tf.tidy(() => {
    const points = tf.zeros([3, 2]) as tf.Tensor2D;
    t.throws(() => rkhsRadius({ points, weights: tf.ones([2]) as tf.Tensor1D }, 1), { message: /set.weights must be float32 \[3\]/ });
    t.throws(() => correlationMatchingLoss(uniformSet(points), uniformSet(tf.zeros([3, 4]) as tf.Tensor2D)), { message: /same feature width/ });
  });
});
