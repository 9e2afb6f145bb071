import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { EMA_UPDATE } from '../../src/backend/fused-updates.js';
import { WeightAverage } from '../../src/training/gan/ema.js';
import { Rng } from '../../src/util/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('the average copies the weights before startStep and decays after it', (t) => {
  const weight = tf.variable(tf.tensor1d([1, 2]));
  const ema = new WeightAverage([weight], { decay: 0.9, startStep: 2 });

  weight.assign(tf.tensor1d([3, 4]));
  ema.update(0);
  t.deepEqual(Array.from(ema.averages[0].dataSync()), [3, 4], 'step 0 < startStep: a copy');

  weight.assign(tf.tensor1d([13, 14]));
  ema.update(2);
  // 0.9·[3, 4] + 0.1·[13, 14] = [4, 5]
  const averaged = Array.from(ema.averages[0].dataSync());
  t.true(Math.abs(averaged[0] - 4) < 1e-5 && Math.abs(averaged[1] - 5) < 1e-5, `got ${averaged}`);

  const target = tf.variable(tf.zeros([2]));
  const afterTarget = tf.memory().numTensors;
  ema.copyTo([target]);
  t.deepEqual(Array.from(target.dataSync()).map(Math.round), [4, 5]);
  t.is(tf.memory().numTensors, afterTarget, 'copy leaks nothing');
  for (let step = 3; step < 8; step++) ema.update(step);
  t.is(tf.memory().numTensors, afterTarget, 'updates leak nothing');

  t.throws(() => new WeightAverage([weight], { decay: 1, startStep: 0 }), { message: /decay must be in \[0, 1\)/ });
  ema.dispose();
  tf.dispose([weight, target]);
});

test('the fused update equals the composed ops bit for bit over 50 updates, one kernel per variable, no leaks', async (t) => {
  const rng = new Rng(21);
  const shapes = [[3, 3, 2, 4], [7], []];
  const draw = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng.next() - 1), shape);
  const weights = shapes.map((shape) => tf.variable(draw(shape)));
  const decay = 0.999;
  const ema = new WeightAverage(weights, { decay, startStep: 1 });
  // The update before the fused kernel: average ← add(mul(average, decay), mul(weight, 1 − decay)).
  const composed = weights.map((w) => tf.variable(w.clone(), false));
  const composedUpdate = (step: number) =>
    tf.tidy(() => composed.forEach((average, i) => average.assign(step < 1 ? weights[i] : tf.add(tf.mul(average, decay), tf.mul(weights[i], 1 - decay)))));
  let before = 0;
  for (let step = 0; step < 51; step++) {
    if (step === 1) before = tf.memory().numTensors;
    weights.forEach((w) => {
      const next = tf.tidy(() => tf.add(w, tf.mul(draw(w.shape), 0.1)));
      w.assign(next);
      next.dispose();
    });
    if (step === 10) {
      const profile = await tf.profile(() => ema.update(step));
      t.is(profile.kernels.filter((k) => k.name === EMA_UPDATE).length, weights.length, 'one fused call per variable');
      t.is(profile.kernels.length, weights.length, 'and nothing else');
    } else ema.update(step);
    composedUpdate(step);
  }
  t.is(tf.memory().numTensors, before, 'tensor count flat over 50 updates');
  ema.averages.forEach((average, i) => {
    t.true(Buffer.from(average.dataSync().buffer).equals(Buffer.from(composed[i].dataSync().buffer)), `average ${i} is bit-identical`);
  });
  ema.dispose();
  tf.dispose([...weights, ...composed]);
});
