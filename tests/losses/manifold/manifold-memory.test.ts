import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { emptyManifoldMemory, updateManifoldMemory, type ManifoldMemory } from '../../../src/losses/manifold/manifold-memory.js';
import { mmganManifoldLoss, rkhsCentroidDistance } from '../../../src/losses/manifold/mmgan.js';
import { checkGradient, close, randomMatrix, scalar } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function values(memory: ManifoldMemory): { points: number[]; weights: number[] } {
  return { points: Array.from(memory.points.dataSync()), weights: Array.from(memory.weights.dataSync()) };
}

test('updateManifoldMemory: newest batch first at (1 − d)/B per point, older weights × d, oldest batch dropped', (t) => {
  const before = tf.memory().numTensors;
  const b1 = tf.tensor2d([1, 1, 2, 2], [2, 2]);
  const b2 = tf.tensor2d([3, 3, 4, 4], [2, 2]);
  const b3 = tf.tensor2d([5, 5, 6, 6], [2, 2]);
  const m0 = emptyManifoldMemory(2, 2, 2);
  t.deepEqual(values(m0), { points: [0, 0, 0, 0, 0, 0, 0, 0], weights: [0, 0, 0, 0] });
  const m1 = updateManifoldMemory(m0, b1, 0.5);
  t.deepEqual(values(m1), { points: [1, 1, 2, 2, 0, 0, 0, 0], weights: [0.25, 0.25, 0, 0] });
  const m2 = updateManifoldMemory(m1, b2, 0.5);
  t.deepEqual(values(m2), { points: [3, 3, 4, 4, 1, 1, 2, 2], weights: [0.25, 0.25, 0.125, 0.125] });
  const m3 = updateManifoldMemory(m2, b3, 0.5);
  t.deepEqual(values(m3), { points: [5, 5, 6, 6, 3, 3, 4, 4], weights: [0.25, 0.25, 0.125, 0.125] });
  // Decay 0: the memory is the batch alone.
  const only = updateManifoldMemory(m2, b3, 0);
  t.deepEqual(values(only).weights, [0.5, 0.5, 0, 0]);
  // A memory of one batch.
  const oneSlot = emptyManifoldMemory(1, 2, 2);
  const single = updateManifoldMemory(oneSlot, b2, 0.9);
  const singleValues = values(single);
  t.deepEqual(singleValues.points, [3, 3, 4, 4]);
  singleValues.weights.forEach((w) => close(t, w, 0.05, 'weight'));
  tf.dispose([b1, b2, b3, ...[m0, m1, m2, m3, only, oneSlot, single].flatMap((m) => [m.points, m.weights])]);
  t.is(tf.memory().numTensors, before);
});

test('as a weighted set, the memory\'s kernel mean embedding is the moving average of the batches\'', (t) => {
  // Batches {(0,0)} then {(1,0)} with decay 0.5: μ = (0.5·φ(1,0) + 0.25·φ(0,0)) / 0.75, so against
  // {(0,0)} (σ² = 0.5, q = e⁻¹): ‖μ − φ(0,0)‖² = (4/9 + 1/9 + 4q/9) + 1 − 2(2q/3 + 1/3) = (8/9)(1 − q).
  const q = Math.exp(-1);
  tf.tidy(() => {
    const m1 = updateManifoldMemory(emptyManifoldMemory(2, 1, 2), tf.tensor2d([0, 0], [1, 2]), 0.5);
    const m2 = updateManifoldMemory(m1, tf.tensor2d([1, 0], [1, 2]), 0.5);
    const origin = { points: tf.tensor2d([0, 0], [1, 2]), weights: tf.ones([1]) as tf.Tensor1D };
    close(t, scalar(rkhsCentroidDistance(m2, origin, 0.5)), (8 / 9) * (1 - q), 'distance');
  });
});

test('rejects a batch that does not fit, and a decay outside [0, 1)', (t) => {
  tf.tidy(() => {
    const memory = emptyManifoldMemory(2, 2, 3);
    t.throws(() => updateManifoldMemory(memory, tf.zeros([3, 3]) as tf.Tensor2D, 0.5), { message: /does not fit/ });
    t.throws(() => updateManifoldMemory(memory, tf.zeros([2, 2]) as tf.Tensor2D, 0.5), { message: /does not fit/ });
    t.throws(() => updateManifoldMemory(memory, tf.zeros([2, 3]) as tf.Tensor2D, 1), { message: /decay must be in \[0, 1\)/ });
  });
  t.throws(() => emptyManifoldMemory(0, 2, 3), { message: /batches must be a positive integer/ });
});

test('the MMGAN loss through memories is differentiable in the current fake batch (finite differences)', (t) => {
  // Real memory: two earlier batches plus the current one (constants); fake memory with decay 0.5:
  // the current fake batch carries half the mass and the gradient.
  const realMemory = tf.tidy(() => {
    let memory = emptyManifoldMemory(3, 3, 2);
    for (const seed of [31, 32, 33]) {
      const next = updateManifoldMemory(memory, randomMatrix(3, 2, seed), 0.5);
      tf.dispose([memory.points, memory.weights]);
      memory = next;
    }
    return memory;
  });
  const oldFakes = tf.tidy(() => updateManifoldMemory(emptyManifoldMemory(2, 3, 2), randomMatrix(3, 2, 34, 0.5), 0.5));
  const fake = randomMatrix(3, 2, 35, 0.5);
  const loss = (x: tf.Tensor2D) => mmganManifoldLoss(realMemory, updateManifoldMemory(oldFakes, x, 0.5), { squaredBandwidth: 0.5 }).total;
  checkGradient(t, loss, fake, 'fake batch through the memory');
  tf.dispose([realMemory.points, realMemory.weights, oldFakes.points, oldFakes.weights, fake]);
});
