/**
 * s3gan's own ops on the cpu backend against references written as tfjs ops:
 *   - LeakyReLU: the first gradient equals tfjs's (where(x > 0, dy, α·dy)) exactly; the second-order
 *     gradient of a gradient penalty through it matches central finite differences;
 *   - batchNormTraining: outputs equal moments + normalise (the layer's former arithmetic), the
 *     moving statistics equal m·moving + (1 − m)·batch, gradients equal the gradients of that
 *     composite, and gradients of gradients equal those of the composite (tfjs differentiates
 *     every op of it twice), for per-channel and per-sample scale and offset.
 * Tolerances are relative: the kernels compute in double and round once; the references round
 * after every op.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, leakyReluGrad } from '../../src/ops/index.js';
import { Rng } from '../../src/util/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function uniform(rng: Rng, shape: number[], lo = -1, hi = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => lo + (hi - lo) * rng.next()), shape);
}

function maxRelativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const a = actual.dataSync(), e = expected.dataSync();
  let scale = 0;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / (scale + 1e-12));
  return worst;
}

test('LeakyReLU gradient equals tfjs where(x > 0, dy, α·dy) bit for bit, zero included', (t) => {
  const before = tf.memory().numTensors;
  const x = tf.tensor1d([-2, -0.5, 0, 1e-8, 3, -1e-8]);
  const dy = tf.tensor1d([0.3, -1.7, 2.5, 1.1, -0.9, 4.2]);
  for (const alpha of [0.1, 0.2]) {
    const ours = tf.grad((v: tf.Tensor) => tf.leakyRelu(v, alpha))(x, dy);
    const reference = tf.tidy(() => tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha)));
    t.deepEqual(Array.from(ours.dataSync()), Array.from(reference.dataSync()), `alpha ${alpha}`);
    tf.dispose([ours, reference]);
  }
  tf.dispose([x, dy]);
  t.is(tf.memory().numTensors, before);
});

test('second-order gradient through LeakyReLU matches finite differences', (t) => {
  // A gradient-penalty-shaped loss: L(w) = Σ (∂/∂x Σ leakyRelu(x·w)²)², differentiated in w.
  // Its gradient needs the gradient of LeakyReLU's gradient (tfjs's own has none: Greater).
  const rng = new Rng(3);
  const x = uniform(rng, [6, 4]);
  const w = uniform(rng, [4, 5]);
  const alpha = 0.1;
  const penalty = (weights: tf.Tensor) =>
    tf.tidy(() => {
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.square(tf.leakyRelu(tf.matMul(input as tf.Tensor2D, weights as tf.Tensor2D), alpha))))(x);
      return tf.sum(tf.square(dx));
    });
  const before = tf.memory().numTensors;
  const analytic = tf.grad(penalty)(w);
  t.is(tf.memory().numTensors, before + 1);
  const values = w.arraySync() as number[][];
  const grad = analytic.arraySync() as number[][];
  const h = 1e-3;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 5; j++) {
      const at = (delta: number) => {
        const shifted = values.map((row) => row.slice());
        shifted[i][j] += delta;
        const wt = tf.tensor2d(shifted);
        const p = penalty(wt);
        const v = p.dataSync()[0];
        tf.dispose([wt, p]);
        return v;
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      t.true(Math.abs(numeric - grad[i][j]) <= 2e-2 * (Math.abs(numeric) + 1e-2), `w[${i}][${j}]: ${grad[i][j]} vs finite difference ${numeric}`);
    }
  }
  tf.dispose([x, w, analytic]);
});

test('LeakyReluGrad is linear in dy with no gradient in x', (t) => {
  const x = tf.tensor1d([-1, 2, -3, 0.5]);
  const dy = tf.tensor1d([1, 1, 1, 1]);
  const ddx = tf.tensor1d([2, 3, 4, 5]);
  const [gDy, gX] = tf.grads((a: tf.Tensor, b: tf.Tensor) => leakyReluGrad(a, b, 0.2))([dy, x], ddx);
  t.deepEqual(Array.from(gDy.dataSync()), [Math.fround(2 * Math.fround(0.2)), 3, Math.fround(4 * Math.fround(0.2)), 5]);
  t.deepEqual(Array.from(gX.dataSync()), [0, 0, 0, 0]);
  tf.dispose([x, dy, ddx, gDy, gX]);
});

/** The former training-mode arithmetic: moments, then normalise, scale and shift with tfjs ops. */
function compositeBatchNorm(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): tf.Tensor[] {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const c = x.shape[x.rank - 1];
  const param = (p: tf.Tensor) => (p.rank === 2 && x.rank === 4 ? tf.reshape(p, [x.shape[0], 1, 1, c]) : p);
  const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), param(scale)), param(offset));
  return [y, mean, variance];
}

const CASES: { label: string; x: number[]; param: 'channel' | 'sample' }[] = [
  { label: 'NHWC, per-channel scale and offset', x: [3, 4, 5, 6], param: 'channel' },
  { label: 'NHWC, per-sample scale and offset (conditional)', x: [4, 3, 2, 5], param: 'sample' },
  { label: '[B, C], per-sample', x: [7, 3], param: 'sample' },
  { label: '[B, C], per-channel', x: [5, 8], param: 'channel' },
];

for (const { label, x: xShape, param } of CASES) {
  test(`batchNormTraining equals the composite, with gradients and second-order gradients: ${label}`, (t) => {
    const rng = new Rng(xShape.reduce((a, b) => a * 31 + b, 7));
    const c = xShape[xShape.length - 1];
    const pShape = param === 'channel' ? [c] : [xShape[0], c];
    const x = uniform(rng, xShape, -2, 3);
    const scale = uniform(rng, pShape, 0.5, 1.5), offset = uniform(rng, pShape);
    const dy = uniform(rng, xShape);
    const movingMean = uniform(rng, [c]), movingVariance = uniform(rng, [c], 0.5, 2);
    const eps = 1e-5, momentum = 0.9;
    const before = tf.memory().numTensors;

    // 1. Outputs and moving statistics.
    const ours = batchNormTraining(x, { scale, offset, movingMean, movingVariance, momentum, epsilon: eps });
    const ref = tf.tidy(() => compositeBatchNorm(x, scale, offset, eps));
    t.true(maxRelativeError(ours.y, ref[0]) < 1e-5, 'y');
    t.true(maxRelativeError(ours.mean, ref[1]) < 1e-5, 'mean');
    t.true(maxRelativeError(ours.variance, ref[2]) < 1e-5, 'variance');
    const refMoving = tf.tidy(() => tf.add(tf.mul(movingMean, momentum), tf.mul(ref[1], 1 - momentum)));
    t.true(maxRelativeError(ours.movingMean as tf.Tensor, refMoving) < 1e-6, 'moving mean');

    // 2. Gradients of a loss using y, mean and variance, in x, scale and offset.
    const loss = (f: (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.Tensor[]) => (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const [y, mean, variance] = f(a, s, o);
      return tf.addN([tf.sum(tf.mul(y, dy)), tf.sum(tf.mul(mean, 0.7)), tf.sum(tf.mul(variance, -0.3))]);
    };
    const oursF = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const r = batchNormTraining(a, { scale: s, offset: o, epsilon: eps });
      return [r.y, r.mean, r.variance];
    };
    const refF = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => compositeBatchNorm(a, s, o, eps);
    const g1 = tf.grads(loss(oursF))([x, scale, offset]);
    const g1Ref = tf.grads(loss(refF))([x, scale, offset]);
    ['x', 'scale', 'offset'].forEach((name, i) => t.true(maxRelativeError(g1[i], g1Ref[i]) < 1e-4, `d${name}`));

    // 3. Second order: the gradient of ‖∂loss/∂x‖² in x and scale.
    const second = (f: typeof oursF) => (a: tf.Tensor, s: tf.Tensor) => {
      const dx = tf.grad((v: tf.Tensor) => loss(f)(v, s, offset))(a);
      return tf.sum(tf.square(dx));
    };
    const g2 = tf.grads(second(oursF))([x, scale]);
    const g2Ref = tf.grads(second(refF))([x, scale]);
    ['x', 'scale'].forEach((name, i) => t.true(maxRelativeError(g2[i], g2Ref[i]) < 1e-3, `second-order d${name}: ${maxRelativeError(g2[i], g2Ref[i])}`));

    tf.dispose([ours.y, ours.mean, ours.variance, ours.movingMean as tf.Tensor, ours.movingVariance as tf.Tensor, ...ref, refMoving, ...g1, ...g1Ref, ...g2, ...g2Ref]);
    t.is(tf.memory().numTensors, before);
    tf.dispose([x, scale, offset, dy, movingMean, movingVariance]);
  });
}
