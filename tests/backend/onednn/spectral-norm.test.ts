/**
 * SpectralNormalize and its gradient on the onednn backend against the cpu backend, on randomized
 * shapes (rank 2–4, a single column, a single row), values, iteration counts and upstream
 * gradients (through W/σ and through σ). Both backends run the same double-precision arithmetic in
 * the same order, so the results are compared bit for bit (tolerance 0).
 */
import * as tf from '@tensorflow/tfjs';
import { SPECTRAL_NORMALIZE, SPECTRAL_NORMALIZE_GRAD } from '../../../src/backend/spectral-norm-kernel.js';
import { Rng } from '../../../src/util/rng.js';
import { addonCalls, between, compare, nativeTest, random, tensor, type Data } from './helpers.js';

function randomShape(rng: Rng): number[] {
  const rank = between(rng, 2, 4);
  const shape = Array.from({ length: rank }, () => between(rng, 1, 9));
  if (rng.next() < 0.2) shape[rank - 1] = 1;
  return shape;
}

function unitRow(rng: Rng, cols: number): Data {
  const data = random(rng, [1, cols]);
  const norm = Math.hypot(...data.values) || 1;
  return { values: data.values.map((x) => x / norm), shape: [1, cols] };
}

function run(w: Data, u: Data, iterations: number): tf.Tensor[] {
  return tf.engine().runKernel(SPECTRAL_NORMALIZE, { w: tensor(w), u: tensor(u) }, { iterations }) as tf.Tensor[];
}

nativeTest('SpectralNormalize matches cpu bit for bit on random shapes and iteration counts, natively', async (t) => {
  const rng = new Rng(71);
  for (let trial = 0; trial < 24; trial++) {
    const shape = randomShape(rng);
    const w = random(rng, shape, -2, 2);
    const u = unitRow(rng, shape[shape.length - 1]);
    const iterations = between(rng, 0, 3);
    const label = `[${shape}] × ${iterations}`;
    t.is(addonCalls(() => tf.dispose(run(w, u, iterations))).get('spectralNorm'), 1, `native ${label}`);
    await compare(t, () => run(w, u, iterations), 0, label);
  }
});

nativeTest('the gradient of W/σ and σ with respect to W matches cpu bit for bit, natively', async (t) => {
  const rng = new Rng(72);
  for (let trial = 0; trial < 16; trial++) {
    const shape = randomShape(rng);
    const w = random(rng, shape, -2, 2);
    const u = unitRow(rng, shape[shape.length - 1]);
    const upstream = random(rng, shape, -1, 1);
    const sigmaWeight = rng.next() < 0.5 ? 0 : 2 * rng.next() - 1;
    const grad = () => tf.grad((x: tf.Tensor) => {
      const [normalized, sigma] = tf.engine().runKernel(SPECTRAL_NORMALIZE, { w: x, u: tensor(u) }, { iterations: 1 }) as tf.Tensor[];
      return tf.add(tf.sum(tf.mul(normalized, tensor(upstream))), tf.mul(sigma, sigmaWeight)) as tf.Scalar;
    })(tensor(w));
    const label = `[${shape}] dσ weight ${sigmaWeight.toFixed(2)}`;
    t.is(addonCalls(() => tf.dispose(grad())).get('spectralNormGrad'), 1, `native ${label}`);
    await compare(t, grad, 0, label);
  }
  t.truthy(tf.getKernel(SPECTRAL_NORMALIZE_GRAD, 'onednn'));
});

nativeTest('an int32 kernel falls back to the cpu kernel', async (t) => {
  const w = { values: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2] };
  const u = { values: Float32Array.from([0.6, 0.8]), shape: [1, 2] };
  const calls = addonCalls(() => tf.dispose(tf.engine().runKernel(SPECTRAL_NORMALIZE, { w: tf.cast(tensor(w), 'int32'), u: tensor(u) }, { iterations: 1 }) as tf.Tensor[]));
  t.is(calls.get('spectralNorm'), undefined);
  await compare(t, () => run(w, u, 2), 0, 'fixed 3×2');
});
