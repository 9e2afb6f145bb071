/**
 * The fused updates of the onednn backend (native/src/optim.cc) against tfjs's composed ops on the
 * cpu backend: Adam over 20 steps (tfjs's AdamOptimizer) and the weight average (mul, mul, add),
 * on the shapes of tests/training/adam-cases.ts and on randomized ones, bit for bit, and with one
 * native call per variable.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAdam } from '../../../src/training/common/fused-adam.js';
import { WeightAverage } from '../../../src/training/gan/ema.js';
import { Rng } from '../../../src/util/rng.js';
import { HYPER, identical, makeVariables, maxDifference, snapshot, SHAPES, train } from '../../training/adam-cases.js';
import { addonCalls, between, nativeTest, random, tensor } from './helpers.js';

let runs = 0;

/** Runs `fn` with `backend` current and returns its result; onednn is current afterwards. */
async function on<T>(backend: string, fn: () => Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  try {
    return await fn();
  } finally {
    await tf.setBackend('onednn');
  }
}

nativeTest('the fused Adam on onednn equals tfjs Adam on cpu over 20 steps, bit for bit, one native call per variable', async (t) => {
  for (const [learningRate, beta1, beta2] of HYPER) {
    const expected = await on('cpu', async () => {
      const variables = makeVariables(`cpu${runs++}`, 8);
      const optimizer = tf.train.adam(learningRate, beta1, beta2);
      train(optimizer, variables, 4, 0, 20);
      const values = await snapshot(optimizer, variables);
      tf.dispose(variables);
      optimizer.dispose();
      return values;
    });
    const variables = makeVariables(`onednn${runs++}`, 8);
    const optimizer = fusedAdam(learningRate, beta1, beta2);
    train(optimizer, variables, 4, 0, 19);
    // Step 19 is odd: variable 2 has no gradient and no call.
    t.is(addonCalls(() => train(optimizer, variables, 4, 19, 1)).get('adamUpdate'), SHAPES.length - 1);
    const actual = await snapshot(optimizer, variables);
    t.true(maxDifference(actual, expected) <= 1e-6, `lr ${learningRate} β1 ${beta1}: max difference ${maxDifference(actual, expected)}`);
    t.true(identical(actual, expected), `lr ${learningRate} β1 ${beta1}: not bit-identical`);
    tf.dispose(variables);
    optimizer.dispose();
  }
});

nativeTest('the weight average on onednn equals the composed ops on cpu on randomized shapes, bit for bit', async (t) => {
  const rng = new Rng(31);
  const shapes = Array.from({ length: 6 }, () => Array.from({ length: between(rng, 0, 4) }, () => between(rng, 1, 7)));
  const starts = shapes.map((shape) => random(rng, shape));
  const steps = Array.from({ length: 5 }, () => shapes.map((shape) => random(rng, shape, -3, 3)));
  const decay = 0.9 + 0.0999 * rng.next();
  const run = (fused: boolean) => {
    const weights = starts.map((data) => tf.variable(tensor(data)));
    const ema = new WeightAverage(weights, { decay, startStep: 0 });
    const averages = weights.map((w) => tf.variable(w.clone(), false));
    let calls = 0;
    for (const values of steps) {
      weights.forEach((w, i) => {
        const next = tensor(values[i]);
        w.assign(next);
        next.dispose();
      });
      if (fused) calls += addonCalls(() => ema.update(1)).get('emaUpdate') ?? 0;
      else tf.tidy(() => averages.forEach((a, i) => a.assign(tf.add(tf.mul(a, decay), tf.mul(weights[i], 1 - decay)))));
    }
    const out = (fused ? ema.averages : averages).map((a) => Float32Array.from(a.dataSync()));
    ema.dispose();
    tf.dispose([...weights, ...averages]);
    return { out, calls };
  };
  const native = run(true);
  t.is(native.calls, steps.length * shapes.length, 'one native call per variable and update');
  const reference = await on('cpu', () => Promise.resolve(run(false).out));
  t.true(identical(native.out, reference), `shapes ${JSON.stringify(shapes)}: not bit-identical`);
});
