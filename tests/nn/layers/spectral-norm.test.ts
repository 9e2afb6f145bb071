import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { SNConv2D, SNConv2DTranspose, SNDense, spectralNormalize } from '../../../src/nn/layers/index.js';
import { maxAbsDiff, roundTrip, toRows, topSingularValue } from './helpers.js';

// A fixed 6×5 matrix. numpy.linalg.svd (numpy 2.4.6) gives its singular values as
// 6.34176545, 4.80072197, 3.84636175, 3.13824992, 2.84463853.
const W = [
  [1, 2, 0, -1, 3],
  [0, 1, 4, 2, -2],
  [3, -1, 1, 0, 1],
  [2, 2, -3, 1, 0],
  [-1, 0, 2, 3, 1],
  [1, -2, 1, 1, 2],
];
const NUMPY_SIGMA = 6.34176545;

test.before(async () => {
  await tf.setBackend('cpu');
});

test('plain-JS power iteration agrees with numpy on the fixed matrix', (t) => {
  t.true(Math.abs(topSingularValue(W) - NUMPY_SIGMA) < 1e-6);
});

test('spectralNormalize: sigma within 2% after 50 iterations, normalised kernel has sigma 1', (t) => {
  const w = tf.tensor2d(W);
  const u = tf.tensor2d([[1, 0, 0, 0, 0]]);
  const before = tf.memory().numTensors;
  const { normalized, sigma, newU } = spectralNormalize(w, u, 50);
  t.deepEqual(normalized.shape, [6, 5]);
  t.deepEqual(newU.shape, [1, 5]);
  t.true(Math.abs(sigma.dataSync()[0] - NUMPY_SIGMA) / NUMPY_SIGMA < 0.02, `sigma ${sigma.dataSync()[0]}`);
  t.true(Math.abs(topSingularValue(toRows(normalized)) - 1) < 0.02);
  t.true(Math.abs(tf.tidy(() => tf.norm(newU).dataSync()[0]) - 1) < 1e-5, 'u is a unit vector');
  tf.dispose([normalized, sigma, newU]);
  t.is(tf.memory().numTensors, before);
  tf.dispose([w, u]);
});

test('SNDense: 50 training calls converge sigma; u changes only on training calls', (t) => {
  const layer = new SNDense({ units: 5, seed: 3 });
  const x = tf.ones([2, 6]);
  tf.dispose(layer.apply(x) as tf.Tensor);
  layer.setWeights([tf.tensor2d(W), tf.zeros([5]), layer.getWeights()[2]]);
  const uOf = () => Array.from(layer.getWeights()[2].dataSync());
  const before = tf.memory().numTensors;
  const u0 = uOf();
  tf.dispose(layer.apply(x) as tf.Tensor);
  t.deepEqual(uOf(), u0, 'an inference call keeps u');
  tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
  t.notDeepEqual(uOf(), u0, 'a training call updates u');
  for (let i = 0; i < 49; i++) tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
  const sigma = layer.sigma();
  t.true(Math.abs(sigma.dataSync()[0] - NUMPY_SIGMA) / NUMPY_SIGMA < 0.02, `sigma ${sigma.dataSync()[0]}`);
  // Inference output = x · (W / σ) with the σ of the stored u.
  const out = layer.apply(x) as tf.Tensor;
  const expected = tf.tidy(() => tf.matMul(x, tf.div(tf.tensor2d(W), sigma)));
  t.true(maxAbsDiff(out, expected) < 1e-5);
  tf.dispose([sigma, out, expected]);
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  x.dispose();
});

test('SNConv2D: shapes, value against conv2d(x, W/σ) + b, gradient to kernel only', (t) => {
  const layer = new SNConv2D({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', seed: 1 });
  const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 5);
  tf.dispose(layer.apply(x) as tf.Tensor);
  t.deepEqual(layer.computeOutputShape([2, 8, 8, 4]), [2, 3, 3, 4]);
  const before = tf.memory().numTensors;
  const out = layer.apply(x, { training: true }) as tf.Tensor;
  t.deepEqual(out.shape, [2, 3, 3, 4]);
  // getWeights returns the live variables' values: read them, never dispose them.
  const [kernel, bias] = layer.getWeights();
  const expected = tf.tidy(() => {
    const sigma = layer.sigma();
    return tf.add(tf.conv2d(x as tf.Tensor4D, tf.div(kernel, sigma) as tf.Tensor4D, 2, 'valid'), bias);
  });
  t.true(maxAbsDiff(out, expected) < 1e-5, 'training output uses σ from the updated u');
  const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
  const names = layer.weights.map((w) => (w.read() as tf.Variable).name);
  const kernelGrad = grads[names[0]];
  if (kernelGrad === undefined) return t.fail('kernel has no gradient');
  const kg: tf.Tensor = kernelGrad;
  t.true(tf.tidy(() => tf.max(tf.abs(kg)).dataSync()[0]) > 0, 'kernel gradient is non-zero');
  t.false(names[2] in grads, 'u (non-trainable) gets no gradient');
  tf.dispose([value, out, expected, ...Object.values(grads)]);
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  x.dispose();
});

test('SNConv2D same padding and SNConv2DTranspose upsampling shapes', (t) => {
  const conv = new SNConv2D({ filters: 6, kernelSize: [4, 4], strides: 2 });
  const deconv = new SNConv2DTranspose({ filters: 3, kernelSize: 4, strides: 2 });
  const valid = new SNConv2DTranspose({ filters: 3, kernelSize: 3, strides: 1, padding: 'valid', useBias: false });
  const x = tf.ones([1, 8, 8, 4]);
  for (const layer of [conv, deconv, valid]) tf.dispose(layer.apply(x) as tf.Tensor);
  const before = tf.memory().numTensors;
  for (const [layer, shape] of [
    [conv, [1, 4, 4, 6]],
    [deconv, [1, 16, 16, 3]],
    [valid, [1, 10, 10, 3]],
  ] as const) {
    const out = layer.apply(x, { training: true }) as tf.Tensor;
    t.deepEqual(out.shape, [...shape]);
    t.deepEqual(layer.computeOutputShape(x.shape), out.shape);
    out.dispose();
  }
  t.is(valid.weights.length, 2, 'kernel and u without bias');
  t.deepEqual(deconv.weights[0].shape, [4, 4, 3, 4], 'conv2dTranspose kernel is [kh, kw, out, in]');
  t.deepEqual(deconv.weights[2].shape, [1, 3], 'u runs over the output channels');
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  x.dispose();
});

test('SNConv2DTranspose: σ of the [kh·kw·in, out] view converges to the true one', (t) => {
  const layer = new SNConv2DTranspose({ filters: 3, kernelSize: 2, strides: 2, seed: 4 });
  const x = tf.ones([1, 4, 4, 2]);
  for (let i = 0; i < 60; i++) tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
  const [kernel] = layer.getWeights();
  const rows = tf.tidy(() => toRows(tf.reshape(tf.transpose(kernel, [0, 1, 3, 2]), [-1, 3])));
  const truth = topSingularValue(rows);
  const sigma = layer.sigma();
  t.true(Math.abs(sigma.dataSync()[0] - truth) / truth < 0.02, `${sigma.dataSync()[0]} vs ${truth}`);
  tf.dispose([sigma, x]);
});

test('SN layers survive a save/load round trip with their u', async (t) => {
  const input = tf.input({ shape: [8, 8, 4] });
  let h = new SNConv2D({ filters: 4, kernelSize: 3, powerIterations: 2, seed: 9 }).apply(input) as tf.SymbolicTensor;
  h = new SNConv2DTranspose({ filters: 4, kernelSize: 4, strides: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const output = new SNDense({ units: 3, useBias: false }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  t.deepEqual(output.shape, [null, 3]);
  const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 2);
  const uBefore = Array.from(model.layers[1].getWeights()[2].dataSync());
  for (let i = 0; i < 3; i++) tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
  t.notDeepEqual(Array.from(model.layers[1].getWeights()[2].dataSync()), uBefore, 'training through the model moved u');
  const loaded = await roundTrip(model);
  t.is(loaded.layers[1].getClassName(), 'SNConv2D');
  t.is(loaded.layers[1].getConfig().powerIterations, 2);
  const saved = model.getWeights();
  const restored = loaded.getWeights();
  t.is(restored.length, saved.length);
  saved.forEach((w, i) => t.true(maxAbsDiff(w, restored[i]) === 0, `weight ${i} restored`));
  const before = tf.memory().numTensors;
  const a = model.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  t.deepEqual(a.shape, [2, 3]);
  t.true(maxAbsDiff(a, b) < 1e-6, 'identical inference outputs');
  tf.dispose([a, b]);
  t.is(tf.memory().numTensors, before);
  x.dispose();
  model.dispose();
  loaded.dispose();
});
