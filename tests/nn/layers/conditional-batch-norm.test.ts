import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ConditionalBatchNorm, SharedEmbeddingBatchNorm } from '../../../src/nn/layers/index.js';
import { maxAbsDiff, roundTrip } from './helpers.js';

const EPS = 1e-5;

test.before(async () => {
  await tf.setBackend('cpu');
});

/** Per-channel mean and biased variance of a flat NHWC (or NC) array, computed in plain JS. */
function channelStats(values: Float32Array, channels: number): { mean: number[]; variance: number[] } {
  const n = values.length / channels;
  const mean = Array.from({ length: channels }, (_, c) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[i * channels + c];
    return s / n;
  });
  const variance = mean.map((m, c) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (values[i * channels + c] - m) ** 2;
    return s / n;
  });
  return { mean, variance };
}

/** (x − mean) / sqrt(var + ε) · gamma[b][c] + beta[b][c], per element, in plain JS. */
function reference(x: tf.Tensor, mean: number[], variance: number[], gamma: number[][], beta: number[][]): tf.Tensor {
  const values = x.dataSync();
  const channels = mean.length;
  const perSample = values.length / x.shape[0];
  const out = values.map((v, i) => {
    const b = Math.floor(i / perSample);
    const c = i % channels;
    return ((v - mean[c]) / Math.sqrt(variance[c] + EPS)) * gamma[b][c] + beta[b][c];
  });
  return tf.tensor(out, x.shape);
}

/** The layer's weight whose name ends with `suffix`. */
function weight(layer: tf.layers.Layer, suffix: string): tf.LayerVariable {
  const found = layer.weights.find((w) => w.originalName.endsWith(suffix));
  if (found === undefined) throw new Error(`no weight ${suffix}`);
  return found;
}

/** The ConditionalBatchNorm layer of a model. */
function cbnOf(model: tf.LayersModel): tf.layers.Layer {
  const found = model.layers.find((l) => l.getClassName() === 'ConditionalBatchNorm');
  if (found === undefined) throw new Error('no ConditionalBatchNorm layer');
  return found;
}

const ones = (b: number, c: number) => Array.from({ length: b }, () => Array<number>(c).fill(1));
const zeros = (b: number, c: number) => Array.from({ length: b }, () => Array<number>(c).fill(0));

test('ConditionalBatchNorm with zero embeddings is plain batch norm of the batch', (t) => {
  const layer = new ConditionalBatchNorm({ numClasses: 3 });
  const x = tf.randomNormal([4, 2, 2, 3], 1, 2, 'float32', 7);
  const y = tf.tensor1d([0, 1, 2, 1], 'int32');
  tf.dispose(layer.apply([x, y]) as tf.Tensor);
  t.deepEqual(layer.computeOutputShape([x.shape, y.shape]), [4, 2, 2, 3]);
  const before = tf.memory().numTensors;
  const out = layer.apply([x, y], { training: true }) as tf.Tensor;
  t.deepEqual(out.shape, [4, 2, 2, 3]);
  const { mean, variance } = channelStats(x.dataSync() as Float32Array, 3);
  const expected = reference(x, mean, variance, ones(4, 3), zeros(4, 3));
  t.true(maxAbsDiff(out, expected) < 1e-4);
  tf.dispose([out, expected]);
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  tf.dispose([x, y]);
});

test('ConditionalBatchNorm applies 1 + γ[y] and β[y] per sample; moving stats on training only', (t) => {
  const layer = new ConditionalBatchNorm({ numClasses: 3, momentum: 0.9 });
  const x = tf.randomNormal([3, 4], 0, 3, 'float32', 8); // the dense form [B, C]
  const y = tf.tensor1d([2, 0, 2], 'int32');
  tf.dispose(layer.apply([x, y]) as tf.Tensor);
  const g = [
    [0.1, 0.2, 0.3, 0.4],
    [0, 0, 0, 0],
    [-0.5, 1, 2, -1],
  ];
  const b = [
    [1, 2, 3, 4],
    [0, 0, 0, 0],
    [-1, 0.5, 0, 2],
  ];
  tf.tidy(() => {
    weight(layer, 'embed_gamma').write(tf.tensor2d(g));
    weight(layer, 'embed_beta').write(tf.tensor2d(b));
  });
  const gammaOf = (rows: number[]) => rows.map((k) => g[k].map((v) => 1 + v));
  const betaOf = (rows: number[]) => rows.map((k) => b[k]);
  const before = tf.memory().numTensors;
  // 1. Training: batch statistics, and moving = 0.9 · moving + 0.1 · batch.
  const train = layer.apply([x, y], { training: true }) as tf.Tensor;
  const { mean, variance } = channelStats(x.dataSync() as Float32Array, 4);
  const expectedTrain = reference(x, mean, variance, gammaOf([2, 0, 2]), betaOf([2, 0, 2]));
  t.true(maxAbsDiff(train, expectedTrain) < 1e-4);
  const movingMean = Array.from(weight(layer, 'moving_mean').read().dataSync());
  const movingVar = Array.from(weight(layer, 'moving_variance').read().dataSync());
  movingMean.forEach((m, c) => t.true(Math.abs(m - 0.1 * mean[c]) < 1e-5));
  movingVar.forEach((v, c) => t.true(Math.abs(v - (0.9 + 0.1 * variance[c])) < 1e-4));
  // 2. Inference: moving statistics, which it leaves alone.
  const infer = layer.apply([x, y]) as tf.Tensor;
  const expectedInfer = reference(x, movingMean, movingVar, gammaOf([2, 0, 2]), betaOf([2, 0, 2]));
  t.true(maxAbsDiff(infer, expectedInfer) < 1e-4);
  t.deepEqual(Array.from(weight(layer, 'moving_mean').read().dataSync()), movingMean);
  t.deepEqual(Array.from(weight(layer, 'moving_variance').read().dataSync()), movingVar);
  tf.dispose([train, expectedTrain, infer, expectedInfer]);
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  tf.dispose([x, y]);
});

test('SharedEmbeddingBatchNorm: γ = 1 + e·Wγ, β = e·Wβ per sample', (t) => {
  const layer = new SharedEmbeddingBatchNorm();
  const x = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 9);
  const e = tf.tensor2d([
    [1, 0],
    [0.5, -2],
  ]);
  tf.dispose(layer.apply([x, e]) as tf.Tensor);
  t.deepEqual(layer.computeOutputShape([x.shape, e.shape]), [2, 2, 2, 3]);
  const wg = [
    [0.1, -0.2, 0.3],
    [0.5, 0, -0.1],
  ];
  const wb = [
    [1, 0, -1],
    [0, 2, 0.5],
  ];
  tf.tidy(() => {
    weight(layer, 'gamma_kernel').write(tf.tensor2d(wg));
    weight(layer, 'beta_kernel').write(tf.tensor2d(wb));
  });
  const eRows = e.arraySync();
  const dot = (row: number[], w: number[][]) => w[0].map((_, c) => row.reduce((s, v, k) => s + v * w[k][c], 0));
  const gamma = eRows.map((row) => dot(row, wg).map((v) => 1 + v));
  const beta = eRows.map((row) => dot(row, wb));
  const before = tf.memory().numTensors;
  const out = layer.apply([x, e], { training: true }) as tf.Tensor;
  const { mean, variance } = channelStats(x.dataSync() as Float32Array, 3);
  const expected = reference(x, mean, variance, gamma, beta);
  t.true(maxAbsDiff(out, expected) < 1e-4);
  tf.dispose([out, expected]);
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  tf.dispose([x, e]);
});

test('conditional batch norms survive a save/load round trip with their moving statistics', async (t) => {
  const xIn = tf.input({ shape: [4, 4, 4] });
  const yIn = tf.input({ shape: [], dtype: 'int32' });
  const eIn = tf.input({ shape: [5] });
  let h = new ConditionalBatchNorm({ numClasses: 3, momentum: 0.5 }).apply([xIn, yIn]) as tf.SymbolicTensor;
  h = new SharedEmbeddingBatchNorm({ initStddev: 0.1, seed: 3 }).apply([h, eIn]) as tf.SymbolicTensor;
  t.deepEqual(h.shape, [null, 4, 4, 4]);
  const model = tf.model({ inputs: [xIn, yIn, eIn], outputs: h });
  const x = tf.randomNormal([3, 4, 4, 4], 2, 3, 'float32', 1);
  const y = tf.tensor1d([0, 2, 1], 'int32');
  const e = tf.randomNormal([3, 5], 0, 1, 'float32', 2);
  tf.tidy(() => {
    weight(cbnOf(model), 'embed_gamma').write(tf.randomNormal([3, 4], 0, 0.5, 'float32', 4));
  });
  for (let i = 0; i < 2; i++) tf.dispose(model.apply([x, y, e], { training: true }) as tf.Tensor);
  const mm = Array.from(weight(cbnOf(model), 'moving_mean').read().dataSync());
  t.true(mm.some((v) => Math.abs(v) > 0.1), 'training moved the moving mean');
  const loaded = await roundTrip(model);
  t.deepEqual(Array.from(weight(cbnOf(loaded), 'moving_mean').read().dataSync()), mm);
  t.is(cbnOf(loaded).getConfig().momentum, 0.5);
  const before = tf.memory().numTensors;
  // apply, not predict: predict's input check expands 1-D inputs to [B, 1], which a label input
  // of shape [] rejects. apply without kwargs is an inference call.
  const a = model.apply([x, y, e]) as tf.Tensor;
  const b = loaded.apply([x, y, e]) as tf.Tensor;
  t.true(maxAbsDiff(a, b) < 1e-6, 'identical inference outputs');
  tf.dispose([a, b]);
  t.is(tf.memory().numTensors, before);
  tf.dispose([x, y, e]);
  model.dispose();
  loaded.dispose();
});
