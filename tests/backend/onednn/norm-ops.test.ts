/**
 * The native kernels of s3gan's own ops against their cpu kernels: training-mode batch norm
 * (outputs, moving statistics, and the gradient kernel) over random NHWC and [B, C] shapes with
 * per-channel and per-sample scale and offset, and LeakyReLU's gradient. Both compute in double in
 * the same order, so the tolerance is near rounding (1e-6 relative).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining } from '../../../src/ops/index.js';
import { Rng } from '../../../src/util/rng.js';
import { addonCalls, between, compare, nativeTest, random, tensor } from './helpers.js';

const RTOL = 1e-6;

nativeTest('batch norm training forward and gradients match cpu on random shapes, natively', async (t) => {
  const rng = new Rng(41);
  for (let trial = 0; trial < 8; trial++) {
    const rank4 = trial % 2 === 0;
    const b = between(rng, 1, 6), c = between(rng, 1, 9);
    const xShape = rank4 ? [b, between(rng, 1, 5), between(rng, 1, 5), c] : [b, c];
    const perSample = trial % 4 < 2;
    const pShape = perSample ? [b, c] : [c];
    const x = random(rng, xShape, -2, 3), dy = random(rng, xShape);
    const scale = random(rng, pShape, 0.5, 1.5), offset = random(rng, pShape);
    const mm = random(rng, [c]), mv = random(rng, [c], 0.5, 2);
    const label = `[${xShape}] ${perSample ? 'per-sample' : 'per-channel'}`;
    const forward = () => {
      const r = batchNormTraining(tensor(x), { scale: tensor(scale), offset: tensor(offset), movingMean: tensor(mm), movingVariance: tensor(mv), momentum: 0.9, epsilon: 1e-5 });
      return [r.y, r.mean, r.variance, r.movingMean as tf.Tensor, r.movingVariance as tf.Tensor];
    };
    const gradients = () =>
      tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const r = batchNormTraining(a, { scale: s, offset: o, epsilon: 1e-5 });
        return tf.addN([tf.sum(tf.mul(r.y, tensor(dy))), tf.sum(r.mean), tf.sum(tf.mul(r.variance, 0.5))]);
      })([tensor(x), tensor(scale), tensor(offset)]);
    const calls = addonCalls(() => tf.dispose(gradients()));
    t.is(calls.get('batchNormTraining'), 1, `native forward ${label}`);
    t.is(calls.get('batchNormTrainingGrad'), 1, `native gradient ${label}`);
    await compare(t, forward, RTOL, `forward ${label}`);
    await compare(t, gradients, RTOL, `gradients ${label}`, 1e-6);
  }
});

nativeTest('LeakyReLU gradient matches cpu exactly, natively', async (t) => {
  const rng = new Rng(42);
  for (const alpha of [0.1, 0.2, 0.3]) {
    const shape = [between(rng, 1, 4), between(rng, 1, 6), between(rng, 1, 6), between(rng, 1, 8)];
    const x = random(rng, shape, -1, 1);
    for (let i = 0; i < x.values.length; i += 5) x.values[i] = 0;
    const dy = random(rng, shape);
    const run = () => tf.grad((v: tf.Tensor) => tf.leakyRelu(v, alpha))(tensor(x), tensor(dy));
    t.is(addonCalls(() => tf.dispose(run())).get('leakyReluGrad'), 1, `native alpha ${alpha}`);
    await compare(t, run, 0, `alpha ${alpha}`);
  }
});
