/**
 * Multinomial logistic regression on frozen, standardized features: the linear classifier of
 * Stage 2 (docs/ALGORITHMS.md § Linear classifier) whose hard argmax labels become the pseudo-labels.
 *
 * Objective (θ = W [K, d], b [K]):
 *   f(θ) = (1/n) Σ_i [ logsumexp_k(W_k·x_i + b_k) − (W_{y_i}·x_i + b_{y_i}) ] + (λ/2)·‖W‖²_F
 * i.e. the mean softmax cross-entropy plus an L2 penalty on the weights, the bias unpenalised.
 * Gradient: ∂f/∂W = (1/n) (P − Y)ᵀ X + λW, ∂f/∂b = (1/n) Σ_i (p_i − y_i), with P the softmax
 * probabilities and Y the one-hot labels. f is convex; for λ > 0 W is unique.
 *
 * Minimised by full-batch L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4
 * two-loop recursion, memory m) with a weak-Wolfe bisection line search (Lewis & Overton 2013),
 * which falls back on Hager & Zhang's approximate Wolfe test where changes of f are below rounding.
 * It starts from θ = 0 and uses no randomness, so a fit is a pure function of its inputs.
 */
import { row, type FeatureMatrix } from '../metrics/feature-matrix.js';
import { invariant, userCheck } from '../util/errors.js';
import { dot, lbfgs } from './lbfgs.js';

/** Options of fitLogisticRegression. */
export interface LogisticRegressionOptions {
  /** λ ≥ 0, the L2 strength in (λ/2)·‖W‖². With λ = 0 separable data has no minimiser. */
  readonly l2: number;
  /** L-BFGS iterations at most (≥ 1). Default DEFAULT_LOGISTIC_OPTIONS.maxIterations. */
  readonly maxIterations?: number;
  /** Stop when max_j |∂f/∂θ_j| ≤ tolerance (scipy's gtol). Default DEFAULT_LOGISTIC_OPTIONS.tolerance. */
  readonly tolerance?: number;
  /** L-BFGS memory m, pairs (s, y) kept (≥ 1). Default DEFAULT_LOGISTIC_OPTIONS.memory. */
  readonly memory?: number;
  /**
   * Start from this model's W, b instead of 0 (a warm start, e.g. the fit at a neighbouring λ).
   * The minimiser is the same; only the iterations to reach it, and rounding, differ.
   */
  readonly initial?: LogisticRegressionModel;
}

export const DEFAULT_LOGISTIC_OPTIONS = {
  maxIterations: 1000,
  tolerance: 1e-6,
  memory: 10,
} as const;

/** How the optimisation ended; JSON-safe. */
export interface LogisticFitInfo {
  readonly l2: number;
  /** L-BFGS iterations taken. */
  readonly iterations: number;
  /** Objective + gradient evaluations (each one pass over the data). */
  readonly evaluations: number;
  /** f(θ) at the returned parameters. */
  readonly objective: number;
  /** max_j |∂f/∂θ_j| at the returned parameters. */
  readonly gradientMaxAbs: number;
  /** gradientMaxAbs ≤ tolerance was reached (false: iteration cap or line-search stall). */
  readonly converged: boolean;
}

/** A fitted classifier, JSON-safe (plain arrays). logits = W x + b. */
export interface LogisticRegressionModel {
  readonly numClasses: number;
  /** Feature dimension d. */
  readonly dim: number;
  /** W, [numClasses][dim]. */
  readonly weights: number[][];
  /** b, [numClasses]. */
  readonly bias: number[];
  readonly fit: LogisticFitInfo;
}

/** `y` checked and copied into an Int32Array, so the hot loop sees one array type. */
function labelArray(y: ArrayLike<number>, rows: number, numClasses: number): Int32Array {
  invariant(y.length === rows, `logistic regression: ${y.length} labels for ${rows} rows`);
  for (let i = 0; i < y.length; i++) {
    const label = y[i];
    invariant(
      Number.isInteger(label) && label >= 0 && label < numClasses,
      `logistic regression: label ${label} at row ${i} is not in [0, ${numClasses})`,
    );
  }
  return Int32Array.from(y);
}

/**
 * f(θ) and ∇f(θ) into `grad`, θ = [W row-major (K·d), b (K)]. One pass over the rows; the softmax
 * uses logsumexp with the max subtracted so large logits do not overflow.
 */
function evaluate(x: FeatureMatrix, y: Int32Array, numClasses: number, l2: number, theta: Float64Array, grad: Float64Array): number {
  const { rows: n, cols: d } = x;
  const K = numClasses;
  const biasOffset = K * d;
  grad.fill(0);
  const logits = new Float64Array(K);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const xi = row(x, i);
    let maxLogit = -Infinity;
    for (let k = 0; k < K; k++) {
      const z = theta[biasOffset + k] + dot(theta.subarray(k * d, (k + 1) * d), xi);
      logits[k] = z;
      if (z > maxLogit) maxLogit = z;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(logits[k] - maxLogit);
    const logSumExp = maxLogit + Math.log(sum);
    const label = y[i];
    loss += logSumExp - logits[label];
    for (let k = 0; k < K; k++) {
      const residual = Math.exp(logits[k] - logSumExp) - (k === label ? 1 : 0);
      grad[biasOffset + k] += residual;
      const gk = grad.subarray(k * d, (k + 1) * d);
      for (let j = 0; j < d; j++) gk[j] += residual * xi[j];
    }
  }
  const inverseN = 1 / n;
  let squaredNorm = 0;
  for (let p = 0; p < biasOffset; p++) {
    const w = theta[p];
    squaredNorm += w * w;
    grad[p] = grad[p] * inverseN + l2 * w;
  }
  for (let k = 0; k < K; k++) grad[biasOffset + k] *= inverseN;
  return loss * inverseN + 0.5 * l2 * squaredNorm;
}

function packParameters(model: LogisticRegressionModel): Float64Array {
  const { numClasses: K, dim: d } = model;
  const theta = new Float64Array(K * d + K);
  for (let k = 0; k < K; k++) {
    invariant(model.weights[k].length === d, `logistic regression: weights row ${k} has ${model.weights[k].length} values, not ${d}`);
    theta.set(model.weights[k], k * d);
  }
  theta.set(model.bias, K * d);
  return theta;
}

function checkModel(model: LogisticRegressionModel, x: FeatureMatrix): void {
  invariant(
    model.weights.length === model.numClasses && model.bias.length === model.numClasses,
    `logistic regression: model has ${model.weights.length} weight rows and ${model.bias.length} biases for ${model.numClasses} classes`,
  );
  invariant(x.cols === model.dim, `logistic regression: features have ${x.cols} columns, the model expects ${model.dim}`);
}

/**
 * Fits W, b on `x` [n, d] (standardized features) and labels `y` (length n, integers in
 * [0, numClasses)). numClasses ≥ 2; a class absent from y just gets a low bias.
 */
export function fitLogisticRegression(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  numClasses: number,
  options: LogisticRegressionOptions,
): LogisticRegressionModel {
  const maxIterations = options.maxIterations ?? DEFAULT_LOGISTIC_OPTIONS.maxIterations;
  const tolerance = options.tolerance ?? DEFAULT_LOGISTIC_OPTIONS.tolerance;
  const memory = options.memory ?? DEFAULT_LOGISTIC_OPTIONS.memory;
  userCheck(Number.isFinite(options.l2) && options.l2 >= 0, `logistic regression: l2 must be a finite number >= 0, got ${options.l2}`);
  userCheck(Number.isInteger(maxIterations) && maxIterations >= 1, `logistic regression: maxIterations must be an integer >= 1, got ${maxIterations}`);
  userCheck(Number.isFinite(tolerance) && tolerance > 0, `logistic regression: tolerance must be a number > 0, got ${tolerance}`);
  userCheck(Number.isInteger(memory) && memory >= 1, `logistic regression: memory must be an integer >= 1, got ${memory}`);
  invariant(Number.isInteger(numClasses) && numClasses >= 2, `logistic regression: numClasses must be an integer >= 2, got ${numClasses}`);
  invariant(x.rows >= 1, 'logistic regression: no training rows');
  const labels = labelArray(y, x.rows, numClasses);

  const K = numClasses;
  const d = x.cols;
  let start: Float64Array = new Float64Array(K * d + K);
  if (options.initial) {
    invariant(
      options.initial.numClasses === K && options.initial.dim === d,
      `logistic regression: initial model is [${options.initial.numClasses}, ${options.initial.dim}], not [${K}, ${d}]`,
    );
    start = packParameters(options.initial);
  }
  const result = lbfgs((theta, grad) => evaluate(x, labels, K, options.l2, theta, grad), start, { maxIterations, tolerance, memory });
  const weights: number[][] = [];
  for (let k = 0; k < K; k++) weights.push(Array.from(result.x.subarray(k * d, (k + 1) * d)));
  // Softmax ignores b + c·1, so the minimisers form a line; report the one with Σ_k b_k = 0. From
  // θ = 0 the iterates already keep Σ_k b_k = 0 (each row's Σ_k ∂f/∂b_k = Σ_k (p_k − y_k) = 0 and
  // L-BFGS steps are combinations of gradients); centring makes that exact for warm starts too.
  const bias = Array.from(result.x.subarray(K * d));
  const meanBias = bias.reduce((a, b) => a + b, 0) / K;
  return {
    numClasses: K,
    dim: d,
    weights,
    bias: bias.map((b) => b - meanBias),
    fit: {
      l2: options.l2,
      iterations: result.iterations,
      evaluations: result.evaluations,
      objective: result.f,
      gradientMaxAbs: result.gradientMaxAbs,
      converged: result.converged,
    },
  };
}

/** The objective f and its gradient at `model`'s parameters, for checking optimality. */
export function logisticObjective(
  model: LogisticRegressionModel,
  x: FeatureMatrix,
  y: ArrayLike<number>,
  l2: number,
): { objective: number; weightGradient: number[][]; biasGradient: number[] } {
  checkModel(model, x);
  const labels = labelArray(y, x.rows, model.numClasses);
  const { numClasses: K, dim: d } = model;
  const theta = packParameters(model);
  const grad = new Float64Array(theta.length);
  const objective = evaluate(x, labels, K, l2, theta, grad);
  const weightGradient: number[][] = [];
  for (let k = 0; k < K; k++) weightGradient.push(Array.from(grad.subarray(k * d, (k + 1) * d)));
  return { objective, weightGradient, biasGradient: Array.from(grad.subarray(K * d)) };
}

/** The logits W x_i + b of every row into `out` [n, K]. */
function logitsInto(model: LogisticRegressionModel, x: FeatureMatrix, out: Float64Array): void {
  const { numClasses: K, dim: d } = model;
  const theta = packParameters(model);
  for (let i = 0; i < x.rows; i++) {
    const xi = row(x, i);
    for (let k = 0; k < K; k++) out[i * K + k] = theta[K * d + k] + dot(theta.subarray(k * d, (k + 1) * d), xi);
  }
}

/** Softmax probabilities [n, numClasses] for `x` [n, dim]; each row sums to 1. */
export function predictProbabilities(model: LogisticRegressionModel, x: FeatureMatrix): FeatureMatrix {
  checkModel(model, x);
  const K = model.numClasses;
  const out = new Float64Array(x.rows * K);
  logitsInto(model, x, out);
  for (let i = 0; i < x.rows; i++) {
    const row = out.subarray(i * K, (i + 1) * K);
    let maxLogit = -Infinity;
    for (let k = 0; k < K; k++) if (row[k] > maxLogit) maxLogit = row[k];
    // softmax(z) = softmax(z − max z): the exponents are ≤ 0, so nothing overflows.
    let sum = 0;
    for (let k = 0; k < K; k++) {
      row[k] = Math.exp(row[k] - maxLogit);
      sum += row[k];
    }
    for (let k = 0; k < K; k++) row[k] /= sum;
  }
  return { rows: x.rows, cols: K, data: out };
}

/** Hard labels argmax_k (W x_i + b)_k for `x` [n, dim], ties → the lowest class. */
export function predictLabels(model: LogisticRegressionModel, x: FeatureMatrix): Int32Array {
  checkModel(model, x);
  const K = model.numClasses;
  const logits = new Float64Array(x.rows * K);
  logitsInto(model, x, logits);
  const labels = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[i * K + k] > logits[i * K + best]) best = k;
    labels[i] = best;
  }
  return labels;
}
