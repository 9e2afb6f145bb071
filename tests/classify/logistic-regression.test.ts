import test from 'ava';
import { featureMatrix, type FeatureMatrix } from '../../src/metrics/feature-matrix.js';
import {
  fitLogisticRegression,
  logisticObjective,
  predictLabels,
  predictProbabilities,
  type LogisticRegressionModel,
} from '../../src/classify/logistic-regression.js';
import { applyStandardizer, fitStandardizer } from '../../src/classify/standardize.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

/** Standard normal by Box–Muller. */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** `perClass` points around each of `centres` with isotropic noise σ; labels in centre order. */
function blobs(centres: number[][], perClass: number, sigma: number, rng: Rng): { x: FeatureMatrix; y: Int32Array } {
  const d = centres[0].length;
  const data: number[] = [];
  const y = new Int32Array(centres.length * perClass);
  centres.forEach((centre, k) => {
    for (let i = 0; i < perClass; i++) {
      y[k * perClass + i] = k;
      for (let j = 0; j < d; j++) data.push(centre[j] + sigma * gaussian(rng));
    }
  });
  return { x: featureMatrix(data, y.length, d), y };
}

function accuracy(predicted: Int32Array, y: Int32Array): number {
  return predicted.reduce((sum, p, i) => sum + (p === y[i] ? 1 : 0), 0) / y.length;
}

function weightNorm(model: LogisticRegressionModel): number {
  return Math.sqrt(model.weights.flat().reduce((a, w) => a + w * w, 0));
}

// Reference for the fixed tiny problem, from scipy (BFGS from θ = 0, final max|∇f| = 1.7e-9; the
// bias is centred to Σb = 0, the minimiser our fit returns):
//   import numpy as np; from scipy.optimize import minimize; from scipy.special import logsumexp
//   X = np.array([[0.5, 1.0], [1.5, -0.5], [-1.0, 2.0], [2.0, 0.0], [-0.5, -1.5],
//                 [0.0, 0.5], [1.0, 1.0], [-2.0, 0.0], [0.5, -1.0]])
//   y = np.array([0, 1, 2, 1, 0, 2, 0, 2, 1]); n, d = X.shape; K = 3; lam = 0.1
//   def f(t):
//       W = t[:K*d].reshape(K, d); b = t[K*d:]; Z = X @ W.T + b
//       return np.mean(logsumexp(Z, axis=1) - Z[np.arange(n), y]) + 0.5*lam*np.sum(W**2)
//   def g(t):
//       W = t[:K*d].reshape(K, d); b = t[K*d:]; Z = X @ W.T + b
//       P = np.exp(Z - logsumexp(Z, axis=1, keepdims=True)); P[np.arange(n), y] -= 1
//       return np.concatenate([(P.T @ X / n + lam*W).ravel(), P.mean(0)])
//   r = minimize(f, np.zeros(K*d + K), jac=g, method='BFGS', options={'gtol': 1e-10})
//   W = r.x[:K*d].reshape(K, d); b = r.x[K*d:] - r.x[K*d:].mean(); print(W, b, r.fun)
const TINY_X = featureMatrix([0.5, 1.0, 1.5, -0.5, -1.0, 2.0, 2.0, 0.0, -0.5, -1.5, 0.0, 0.5, 1.0, 1.0, -2.0, 0.0, 0.5, -1.0], 9, 2);
const TINY_Y = Int32Array.from([0, 1, 2, 1, 0, 2, 0, 2, 1]);
const TINY_L2 = 0.1;
const REFERENCE_WEIGHTS = [
  [-0.015697222295, 0.084780969513],
  [1.025670348157, -0.670216114885],
  [-1.009973125862, 0.585435145372],
];
const REFERENCE_BIAS = [0.394088878635, -0.432449050877, 0.038360172241];
const REFERENCE_OBJECTIVE = 0.6668414941467424;

test('a fixed tiny problem matches the scipy reference solution', (t) => {
  const model = fitLogisticRegression(TINY_X, TINY_Y, 3, { l2: TINY_L2, tolerance: 1e-10 });
  t.true(model.fit.converged, JSON.stringify(model.fit));
  t.true(Math.abs(model.fit.objective - REFERENCE_OBJECTIVE) < 1e-12, `objective ${model.fit.objective}`);
  for (let k = 0; k < 3; k++) {
    for (let j = 0; j < 2; j++) {
      t.true(Math.abs(model.weights[k][j] - REFERENCE_WEIGHTS[k][j]) < 1e-7, `W[${k}][${j}] = ${model.weights[k][j]}`);
    }
    t.true(Math.abs(model.bias[k] - REFERENCE_BIAS[k]) < 1e-7, `b[${k}] = ${model.bias[k]}`);
  }
  t.is(model.dim, 2);
  t.is(model.numClasses, 3);
});

test('the gradient is ~0 at the optimum and matches finite differences elsewhere', (t) => {
  const model = fitLogisticRegression(TINY_X, TINY_Y, 3, { l2: TINY_L2, tolerance: 1e-9 });
  const atOptimum = logisticObjective(model, TINY_X, TINY_Y, TINY_L2);
  const maxGradient = Math.max(...atOptimum.weightGradient.flat().map(Math.abs), ...atOptimum.biasGradient.map(Math.abs));
  t.true(maxGradient <= 1e-9, `max |∇f| = ${maxGradient}`);
  t.is(atOptimum.objective, model.fit.objective);

  // Central differences at an arbitrary point check ∂f/∂W and ∂f/∂b term by term.
  const point: LogisticRegressionModel = { ...model, weights: [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]], bias: [0.2, -0.1, 0.3] };
  const { weightGradient, biasGradient } = logisticObjective(point, TINY_X, TINY_Y, TINY_L2);
  const h = 1e-6;
  const f = (m: LogisticRegressionModel) => logisticObjective(m, TINY_X, TINY_Y, TINY_L2).objective;
  for (let k = 0; k < 3; k++) {
    for (let j = 0; j < 2; j++) {
      const shifted = (delta: number) => point.weights.map((r, kk) => r.map((w, jj) => (kk === k && jj === j ? w + delta : w)));
      const numeric = (f({ ...point, weights: shifted(h) }) - f({ ...point, weights: shifted(-h) })) / (2 * h);
      t.true(Math.abs(numeric - weightGradient[k][j]) < 1e-8, `∂f/∂W[${k}][${j}]: ${weightGradient[k][j]} vs ${numeric}`);
    }
    const bias = (delta: number) => point.bias.map((b, kk) => (kk === k ? b + delta : b));
    const numeric = (f({ ...point, bias: bias(h) }) - f({ ...point, bias: bias(-h) })) / (2 * h);
    t.true(Math.abs(numeric - biasGradient[k]) < 1e-8, `∂f/∂b[${k}]: ${biasGradient[k]} vs ${numeric}`);
  }
});

test('separable blobs are classified 100% on training and fresh points', (t) => {
  const rng = new Rng(7);
  const centres = [[4, 0, 0], [-4, 0, 0], [0, 4, 0], [0, 0, 4]];
  const train = blobs(centres, 20, 0.5, rng);
  const heldOut = blobs(centres, 50, 0.5, rng);
  const standardizer = fitStandardizer(train.x);
  const model = fitLogisticRegression(applyStandardizer(standardizer, train.x), train.y, 4, { l2: 1e-3 });
  t.true(model.fit.converged, JSON.stringify(model.fit));
  t.is(accuracy(predictLabels(model, applyStandardizer(standardizer, train.x)), train.y), 1);
  t.is(accuracy(predictLabels(model, applyStandardizer(standardizer, heldOut.x)), heldOut.y), 1);
});

test('a larger L2 strength gives smaller weights and a larger objective', (t) => {
  const rng = new Rng(3);
  const { x, y } = blobs([[1, 0], [0, 1], [-1, -1]], 15, 1, rng);
  const fits = [1e-3, 1e-2, 1e-1, 1, 10].map((l2) => fitLogisticRegression(x, y, 3, { l2 }));
  for (let i = 1; i < fits.length; i++) {
    t.true(weightNorm(fits[i]) < weightNorm(fits[i - 1]), `‖W‖ at λ = ${fits[i].fit.l2}: ${weightNorm(fits[i])} vs ${weightNorm(fits[i - 1])}`);
    t.true(fits[i].fit.objective > fits[i - 1].fit.objective);
  }
  // Every minimiser keeps Σ_k W_k = 0 and Σ_k b_k = 0 (see fitLogisticRegression).
  for (const fit of fits) {
    t.true(Math.abs(fit.bias.reduce((a, b) => a + b, 0)) < 1e-12);
    for (let j = 0; j < 2; j++) t.true(Math.abs(fit.weights.reduce((a, r) => a + r[j], 0)) < 1e-12);
  }
});

test('a warm start is used, reaches the same minimiser, and returns the bias centred', (t) => {
  const rng = new Rng(12);
  const { x, y } = blobs([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], 30, 1, rng);
  const cold = fitLogisticRegression(x, y, 3, { l2: 1e-3, tolerance: 1e-9 });
  t.true(cold.fit.converged && cold.fit.iterations > 5, JSON.stringify(cold.fit));
  // Starting at the optimum with every bias shifted by 5 (the same softmax): nothing left to do.
  const shifted: LogisticRegressionModel = { ...cold, bias: cold.bias.map((b) => b + 5) };
  const again = fitLogisticRegression(x, y, 3, { l2: 1e-3, tolerance: 1e-9, initial: shifted });
  t.true(again.fit.converged && again.fit.iterations <= 1, JSON.stringify(again.fit));
  cold.bias.forEach((b, k) => t.true(Math.abs(b - again.bias[k]) < 1e-12, `b[${k}]: ${b} vs ${again.bias[k]}`));
  // From the λ = 1e-2 optimum to λ = 1e-3: the same minimiser as from zero.
  const previous = fitLogisticRegression(x, y, 3, { l2: 1e-2 });
  const warm = fitLogisticRegression(x, y, 3, { l2: 1e-3, tolerance: 1e-9, initial: previous });
  t.true(warm.fit.converged, JSON.stringify(warm.fit));
  cold.weights.flat().forEach((w, p) => t.true(Math.abs(w - warm.weights.flat()[p]) < 1e-6, `W at ${p}`));
  cold.bias.forEach((b, k) => t.true(Math.abs(b - warm.bias[k]) < 1e-6, `b[${k}]: ${b} vs ${warm.bias[k]}`));
  const wrongShape = { ...cold, dim: 3 };
  t.throws(() => fitLogisticRegression(x, y, 3, { l2: 1e-3, initial: wrongShape }), { message: /initial model is \[3, 3\], not \[3, 4\]/ });
});

test('probabilities are a stable softmax that agrees with predictLabels, and the model survives JSON', (t) => {
  const model = fitLogisticRegression(TINY_X, TINY_Y, 3, { l2: TINY_L2 });
  const p = predictProbabilities(model, TINY_X);
  t.is(p.rows, 9);
  t.is(p.cols, 3);
  const labels = predictLabels(model, TINY_X);
  for (let i = 0; i < 9; i++) {
    const r = Array.from(p.data.subarray(i * 3, i * 3 + 3));
    t.true(Math.abs(r[0] + r[1] + r[2] - 1) < 1e-15);
    t.is(r.indexOf(Math.max(...r)), labels[i]);
  }
  // Logits around ±1e4 overflow a naive exp; the shifted softmax stays finite and one-hot.
  const huge: LogisticRegressionModel = { ...model, weights: model.weights.map((r) => r.map((w) => w * 1e4)) };
  const q = predictProbabilities(huge, TINY_X);
  t.true(q.data.every((v) => Number.isFinite(v) && v >= 0 && v <= 1));
  const revived = JSON.parse(JSON.stringify(model)) as LogisticRegressionModel;
  t.deepEqual(Array.from(predictProbabilities(revived, TINY_X).data), Array.from(p.data));
});

test('fitting is deterministic and rejects bad options and labels', (t) => {
  const a = fitLogisticRegression(TINY_X, TINY_Y, 3, { l2: 0.01 });
  const b = fitLogisticRegression(TINY_X, TINY_Y, 3, { l2: 0.01 });
  t.deepEqual(a, b);
  t.throws(() => fitLogisticRegression(TINY_X, TINY_Y, 3, { l2: -1 }), { instanceOf: UserError, message: /l2 must be/ });
  t.throws(() => fitLogisticRegression(TINY_X, TINY_Y, 3, { l2: 1, maxIterations: 0 }), { instanceOf: UserError, message: /maxIterations/ });
  t.throws(() => fitLogisticRegression(TINY_X, TINY_Y, 2, { l2: 1 }), { message: /label 2 at row 2 is not in \[0, 2\)/ });
  t.throws(() => predictLabels(a, featureMatrix([1, 2, 3], 1, 3)), { message: /3 columns, the model expects 2/ });
  const capped = fitLogisticRegression(TINY_X, TINY_Y, 3, { l2: 1e-4, maxIterations: 2 });
  t.is(capped.fit.iterations, 2);
  t.false(capped.fit.converged);
});
