// The fused SpectralNormalize kernel (one call forward, one backward) against the op chain it
// replaced (spectralNormalizeWithOps), on the cpu backend: σ, W/σ and the gradient with respect to W
// within float32 rounding, u updated to the same vector, and the layers' u updates unchanged.
// Shapes cover the SN layers of the SNDCGAN discriminator: conv kernels, dense kernels, the [F, 1]
// projection kernel and the [classes, F] embedding.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { SPECTRAL_NORMALIZE } from '../../../src/backend/spectral-norm-kernel.js';
import { SNConv2D, SNConv2DTranspose, spectralNormalize, spectralNormalizeWithOps } from '../../../src/nn/layers/index.js';
import { Rng } from '../../../src/util/rng.js';

const SHAPES = [[3, 3, 3, 8], [4, 4, 8, 16], [32, 4], [16, 1], [10, 16], [1, 5], [2, 2, 7, 1]];

test.before(async () => {
  await tf.setBackend('cpu');
});

function randomTensor(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * (2 * rng.next() - 1)), shape);
}

/** Largest |a − b| relative to the largest |b|. */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync(), y = b.dataSync();
  let worst = 0, top = 1e-30;
  for (let i = 0; i < y.length; i++) {
    worst = Math.max(worst, Math.abs(x[i] - y[i]));
    top = Math.max(top, Math.abs(y[i]));
  }
  return worst / top;
}

test.serial('the fused kernel gives the op chain σ, W/σ and u, with iterations 0, 1 and 3', (t) => {
  const rng = new Rng(5);
  for (const shape of SHAPES) {
    for (const iterations of [0, 1, 3]) {
      const label = `[${shape}] × ${iterations}`;
      const w = randomTensor(rng, shape, 0.1);
      const u = tf.tidy(() => { const r = randomTensor(rng, [1, shape[shape.length - 1]]); return tf.div(r, tf.norm(r)); });
      const before = tf.memory().numTensors;
      const fused = spectralNormalize(w, u as tf.Tensor2D, iterations);
      const ops = spectralNormalizeWithOps(w, u as tf.Tensor2D, iterations);
      t.deepEqual(fused.normalized.shape, shape, label);
      t.deepEqual(fused.newU.shape, [1, shape[shape.length - 1]], label);
      t.true(relDiff(fused.sigma, ops.sigma) < 1e-6, `σ ${label}: ${fused.sigma.dataSync()[0]} vs ${ops.sigma.dataSync()[0]}`);
      t.true(relDiff(fused.normalized, ops.normalized) < 1e-6, `W/σ ${label}`);
      t.true(relDiff(fused.newU, ops.newU) < 1e-6, `u ${label}`);
      if (iterations === 0) t.deepEqual(fused.newU.dataSync(), u.dataSync(), `u kept ${label}`);
      tf.dispose([fused.normalized, fused.sigma, fused.newU, ops.normalized, ops.sigma, ops.newU]);
      t.is(tf.memory().numTensors, before, `no tensor leaked ${label}`);
      tf.dispose([w, u]);
    }
  }
});

test.serial('the gradient with respect to W (through W/σ and through σ) equals the op chain one', (t) => {
  const rng = new Rng(6);
  for (const shape of SHAPES) {
    const w = randomTensor(rng, shape, 0.1);
    const u = tf.tidy(() => { const r = randomTensor(rng, [1, shape[shape.length - 1]]); return tf.div(r, tf.norm(r)); }) as tf.Tensor2D;
    const weights = randomTensor(rng, shape);
    // A loss that reads both outputs: Σ R ⊙ W/σ + 0.3·σ.
    const loss = (fn: typeof spectralNormalize) => (x: tf.Tensor) => {
      const { normalized, sigma } = fn(x, u, 1);
      return tf.add(tf.sum(tf.mul(normalized, weights)), tf.mul(sigma, 0.3)) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const fused = tf.grad(loss(spectralNormalize))(w);
    const ops = tf.grad(loss(spectralNormalizeWithOps))(w);
    t.true(relDiff(fused, ops) < 2e-5, `dW [${shape}]: ${relDiff(fused, ops)}`);
    tf.dispose([fused, ops]);
    t.is(tf.memory().numTensors, before, `no tensor leaked [${shape}]`);
    tf.dispose([w, u, weights]);
  }
});

test.serial('a forward pass is one kernel call, its gradient one more', async (t) => {
  const w = tf.randomNormal([3, 3, 4, 8]);
  const u = tf.randomNormal([1, 8]) as tf.Tensor2D;
  const profile = await tf.profile(() => tf.grad((x: tf.Tensor) => tf.sum(spectralNormalize(x, u, 1).normalized))(w));
  const names = profile.kernels.map((k) => k.name);
  t.is(names.filter((n) => n === SPECTRAL_NORMALIZE).length, 1);
  t.is(names.filter((n) => n === `${SPECTRAL_NORMALIZE}Grad`).length, 1);
  tf.dispose([w, u]);
});

test.serial('SN conv layers write the u of the op chain on a training call and keep it otherwise', (t) => {
  for (const Layer of [SNConv2D, SNConv2DTranspose]) {
    const layer = new Layer({ filters: 6, kernelSize: 3, seed: 11 });
    const x = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 3);
    tf.dispose(layer.apply(x) as tf.Tensor);
    // getWeights() returns the variables themselves: copy u's values before they change.
    const [kernel, , uVariable] = layer.getWeights();
    const u = uVariable.clone();
    const outputsLast = Layer === SNConv2DTranspose ? tf.transpose(kernel, [0, 1, 3, 2]) : kernel.clone();
    const expected = spectralNormalizeWithOps(outputsLast, u as tf.Tensor2D, 1);
    tf.dispose(layer.apply(x) as tf.Tensor);
    t.deepEqual(layer.getWeights()[2].dataSync(), u.dataSync(), `${Layer.className}: inference keeps u`);
    const before = tf.memory().numTensors;
    tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
    t.is(tf.memory().numTensors, before, `${Layer.className}: no tensor leaked`);
    t.true(relDiff(layer.getWeights()[2], expected.newU) < 1e-6, `${Layer.className}: u after a training call`);
    tf.dispose([x, u, outputsLast, expected.normalized, expected.sigma, expected.newU]);
  }
});
