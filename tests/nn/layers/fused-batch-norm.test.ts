import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { FusedBatchNormalization, fusedBatchNormalization } from '../../../src/nn/layers/fused-batch-norm.js';
import { maxAbsDiff, roundTrip } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

type Args = Parameters<typeof fusedBatchNormalization>[0];

/** tfjs-layers' batch norm and the fused one, built on `shape` with the same random γ, β and moving statistics. */
function pair(shape: number[], args: Args, seed: number): { plain: tf.layers.Layer; fused: tf.layers.Layer } {
  const plain = tf.layers.batchNormalization(args);
  const fused = fusedBatchNormalization(args);
  for (const layer of [plain, fused]) layer.build(shape);
  const weights = plain.getWeights().map((w, i) => (i === 3 ? tf.randomUniform(w.shape, 0.5, 2, 'float32', seed + i) : tf.randomNormal(w.shape, 0, 1, 'float32', seed + i)));
  plain.setWeights(weights);
  fused.setWeights(weights);
  tf.dispose(weights);
  return { plain, fused };
}

/** y, the updated moving statistics, and the gradients of Σ y·r with respect to x, γ and β. */
function trainingCall(layer: tf.layers.Layer, x: tf.Tensor, r: tf.Tensor): tf.Tensor[] {
  const xVar = tf.variable(x);
  const params = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  let y: tf.Tensor | undefined;
  const { grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(xVar, { training: true }) as tf.Tensor);
    return tf.sum(tf.mul(y, r)) as tf.Scalar;
  }, [xVar, ...params]);
  const moving = layer.getWeights().slice(2).map((w) => tf.clone(w));
  const out = [y as tf.Tensor, grads[xVar.name], ...params.map((p) => grads[p.name]), ...moving];
  xVar.dispose();
  return out;
}

for (const shape of [
  [6, 5, 4, 3],
  [10, 7],
]) {
  test(`a training call on [${shape}] matches tfjs-layers' batch norm: output, moving statistics, gradients`, (t) => {
    const { plain, fused } = pair(shape, { momentum: 0.9, epsilon: 1e-5 }, 3);
    const x = tf.randomNormal(shape, 0.5, 2, 'float32', 11);
    const r = tf.randomNormal(shape, 0, 1, 'float32', 12);
    const expected = trainingCall(plain, x, r);
    const actual = trainingCall(fused, x, r);
    const names = ['y', 'dx', 'dγ', 'dβ', 'moving mean', 'moving variance'];
    actual.forEach((a, i) => {
      t.deepEqual(a.shape, expected[i].shape, names[i]);
      t.true(maxAbsDiff(a, expected[i]) < 2e-5, `${names[i]}: ${maxAbsDiff(a, expected[i])}`);
    });
    // The moving statistics moved (a test that they stayed put would pass both layers trivially).
    const initial = pair(shape, { momentum: 0.9, epsilon: 1e-5 }, 3).plain.getWeights().slice(2).map((w) => tf.clone(w));
    t.true(maxAbsDiff(actual[4], initial[0]) > 1e-3);
    tf.dispose([x, r, ...expected, ...actual, ...initial]);
  });
}

test('inference calls and calls the fused kernel does not cover are the parent’s, to the bit', (t) => {
  const x = tf.randomNormal([4, 3, 3, 5], 0, 1, 'float32', 5);
  const { plain, fused } = pair([4, 3, 3, 5], { epsilon: 1e-3 }, 7);
  const inference = [plain, fused].map((l) => l.apply(x, { training: false }) as tf.Tensor);
  t.deepEqual(Array.from(inference[1].dataSync()), Array.from(inference[0].dataSync()));
  // Axis 1 normalises over the other axes: the parent's broadcasting path.
  const axis1 = pair([4, 3, 3, 5], { axis: 1, epsilon: 1e-3 }, 9);
  const training = [axis1.plain, axis1.fused].map((l) => l.apply(x, { training: true }) as tf.Tensor);
  t.deepEqual(Array.from(training[1].dataSync()), Array.from(training[0].dataSync()));
  tf.dispose([x, ...inference, ...training]);
});

test('a saved model names tfjs-layers’ BatchNormalization and loads into it with the same outputs', async (t) => {
  const input = tf.input({ shape: [4, 4, 2] });
  const model = tf.model({ inputs: input, outputs: fusedBatchNormalization({ name: 'bn' }).apply(input) as tf.SymbolicTensor });
  const bn = model.getLayer('bn');
  t.true(bn instanceof FusedBatchNormalization);
  t.is(bn.getClassName(), 'BatchNormalization');
  const x = tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 2);
  model.apply(x, { training: true }); // moves the moving statistics away from 0 and 1
  const loaded = await roundTrip(model);
  t.false(loaded.getLayer('bn') instanceof FusedBatchNormalization);
  const [a, b] = [model, loaded].map((m) => m.predict(x) as tf.Tensor);
  t.is(maxAbsDiff(a, b), 0);
  tf.dispose([x, a, b]);
});

test('training calls leave the tensor count flat', (t) => {
  const { fused } = pair([8, 4, 4, 3], { momentum: 0.9 }, 1);
  const x = tf.randomNormal([8, 4, 4, 3], 0, 1, 'float32', 4);
  const step = () => tf.tidy(() => fused.apply(x, { training: true }) as tf.Tensor).dispose();
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) step();
  t.is(tf.memory().numTensors, before);
  x.dispose();
});
