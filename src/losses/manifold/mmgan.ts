/**
 * MMGAN's manifold-matching generator term (Park et al., "MMGAN: Manifold Matching Generative
 * Adversarial Network", arXiv 1707.08273), on features h [B, F] from D's last layer. Each manifold
 * (real, fake) is a weighted set of feature vectors, summarised in the RKHS H of the Gaussian kernel
 *   k(x, y) = exp(−‖x − y‖² / (2σ²))
 * by its centroid μ = Σ_i w_i φ(x_i) and its radius R = Σ_i w_i ‖φ(x_i) − μ‖_H, both through the
 * kernel trick. The generator is pulled towards the real centroid and radius, and its features'
 * correlation matrix towards the real one (the paper's regulariser against mode collapse).
 * The moving averages across minibatches are a fixed-size memory of recent batches whose weights
 * decay geometrically (manifold-memory.ts); the losses take any weighted set.
 * The paper publishes no code; every choice is written down in docs/ALGORITHMS.md § MMGAN.
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../util/errors.js';
import { checkRows, pairwiseSquaredDistances, safeSqrt, withoutGradient } from './geometry.js';

/** Default weights of the three terms of mmganManifoldLoss. */
export const DEFAULT_CENTROID_WEIGHT = 1;
export const DEFAULT_RADIUS_WEIGHT = 1;
export const DEFAULT_CORRELATION_WEIGHT = 1;
/** Floor of σ² so that a set of identical points still gives a finite kernel. */
export const MIN_SQUARED_BANDWIDTH = 1e-12;
/** Added to each variance before the correlation divides by the standard deviations. */
export const CORRELATION_VARIANCE_EPS = 1e-8;

/**
 * A manifold as a weighted set: points [N, F] float32 and weights [N] float32, non-negative and not
 * all zero; the functions normalise them to sum 1, so a uniform batch may pass weights of ones.
 * A type alias rather than an interface, so that tf.tidy can return one (a memory update).
 */
export type WeightedSet = {
  readonly points: tf.Tensor2D;
  readonly weights: tf.Tensor1D;
};

/** A batch as a set of equal weights; the caller disposes the weights tensor. */
export function uniformSet(points: tf.Tensor2D): WeightedSet {
  const count = checkRows(points, 'points');
  return { points, weights: tf.fill([count], 1 / count) as tf.Tensor1D };
}

function checkSet(set: WeightedSet, what: string): void {
  const count = checkRows(set.points, `${what}.points`);
  invariant(
    set.weights.rank === 1 && set.weights.shape[0] === count && set.weights.dtype === 'float32',
    `${what}.weights must be float32 [${count}], got ${set.weights.dtype} [${set.weights.shape.join(', ')}]`,
  );
}

/** w / Σw as a column [N, 1]. */
function normalisedColumn(weights: tf.Tensor1D): tf.Tensor2D {
  return tf.reshape(tf.div(weights, tf.sum(weights)), [-1, 1]) as tf.Tensor2D;
}

/** Gram matrix of the Gaussian kernel between the rows of x [N, F] and y [M, F] → [N, M]. */
export function gaussianKernel(x: tf.Tensor2D, y: tf.Tensor2D, squaredBandwidth: tf.Scalar | number): tf.Tensor2D {
  return tf.tidy(() => tf.exp(tf.div(pairwiseSquaredDistances(x, y), tf.mul(-2, squaredBandwidth))) as tf.Tensor2D);
}

/**
 * σ² by the median heuristic: half the median of the squared distances ‖x_i − x_j‖² over the pairs
 * i < j of `points` [N, F] (N ≥ 2), so that k = exp(−d²/median) and the median pair sits at e⁻¹.
 * The bandwidth is a constant for backprop (zero gradient), floored at MIN_SQUARED_BANDWIDTH.
 */
export function medianHeuristicBandwidth(points: tf.Tensor2D): tf.Scalar {
  const count = checkRows(points, 'points');
  invariant(count >= 2, `the median heuristic needs at least 2 points, got ${count}`);
  const upper: number[] = [];
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) upper.push(i * count + j);
  const pairs = upper.length;
  const kept = Math.floor(pairs / 2) + 1; // the smallest ⌊n/2⌋ + 1 values reach the median
  const median = (x: tf.Tensor) => {
    const distances = tf.gather(tf.reshape(pairwiseSquaredDistances(x as tf.Tensor2D, x as tf.Tensor2D), [-1]), tf.tensor1d(upper, 'int32'));
    const ascending = tf.neg(tf.topk(tf.neg(distances), kept, true).values);
    return tf.reshape(pairs % 2 === 1 ? tf.slice(ascending, [kept - 1], [1]) : tf.mean(tf.slice(ascending, [kept - 2], [2])), []) as tf.Scalar;
  };
  return tf.tidy(() => tf.maximum(tf.div(withoutGradient(median, points), 2), MIN_SQUARED_BANDWIDTH) as tf.Scalar);
}

/** Weighted kernel mean ⟨μ_a, μ_b⟩_H = Σ_ij wa_i wb_j k(a_i, b_j), a scalar. */
function kernelMean(a: WeightedSet, b: WeightedSet, squaredBandwidth: tf.Scalar | number): tf.Scalar {
  const gram = gaussianKernel(a.points, b.points, squaredBandwidth);
  return tf.reshape(tf.matMul(tf.matMul(normalisedColumn(a.weights), gram, true, false), normalisedColumn(b.weights)), []) as tf.Scalar;
}

/**
 * ‖μ_a − μ_b‖²_H = ⟨μ_a, μ_a⟩ + ⟨μ_b, μ_b⟩ − 2⟨μ_a, μ_b⟩ (the squared MMD of the two weighted sets,
 * biased V-statistic form: the diagonal k(x, x) = 1 is kept).
 */
export function rkhsCentroidDistance(a: WeightedSet, b: WeightedSet, squaredBandwidth: tf.Scalar | number): tf.Scalar {
  checkSet(a, 'a');
  checkSet(b, 'b');
  return tf.tidy(
    () =>
      tf.sub(
        tf.add(kernelMean(a, a, squaredBandwidth), kernelMean(b, b, squaredBandwidth)),
        tf.mul(2, kernelMean(a, b, squaredBandwidth)),
      ) as tf.Scalar,
  );
}

/**
 * R = Σ_i w_i ‖φ(x_i) − μ‖_H, the weighted mean distance to the centroid in H, with
 *   ‖φ(x_i) − μ‖²_H = k(x_i, x_i) − 2 Σ_j w_j k(x_i, x_j) + Σ_jl w_j w_l k(x_j, x_l)
 * and k(x, x) = 1 for the Gaussian kernel. R lies in [0, 1).
 */
export function rkhsRadius(set: WeightedSet, squaredBandwidth: tf.Scalar | number): tf.Scalar {
  checkSet(set, 'set');
  return tf.tidy(() => {
    const w = normalisedColumn(set.weights); // [N, 1]
    const gram = gaussianKernel(set.points, set.points, squaredBandwidth);
    const toCentroid = tf.matMul(gram, w); // [N, 1]: ⟨φ(x_i), μ⟩
    const centroidSquared = tf.sum(tf.mul(w, toCentroid)); // ‖μ‖²
    const distanceSquared = tf.relu(tf.add(tf.sub(1, tf.mul(2, toCentroid)), centroidSquared));
    return tf.sum(tf.mul(w, safeSqrt(distanceSquared))) as tf.Scalar;
  });
}

/**
 * The weighted correlation matrix of the feature dimensions → [F, F]:
 *   m = Σ_i w_i x_i, C = Σ_i w_i (x_i − m)(x_i − m)ᵀ, corr_jk = C_jk / (s_j s_k), s_j = √(C_jj + ε).
 * A dimension that never varies gets a zero row and column (and a zero diagonal entry).
 */
export function correlationMatrix(set: WeightedSet): tf.Tensor2D {
  checkSet(set, 'set');
  return tf.tidy(() => {
    const w = normalisedColumn(set.weights);
    const centred = tf.sub(set.points, tf.sum(tf.mul(w, set.points), 0, true));
    const covariance = tf.matMul(tf.mul(w, centred), centred, true, false); // [F, F]
    const scale: tf.Tensor1D = tf.sqrt(tf.add(tf.sum(tf.mul(w, tf.square(centred)), 0), CORRELATION_VARIANCE_EPS)) as tf.Tensor1D; // [F]
    return tf.div(covariance, tf.outerProduct(scale, scale)) as tf.Tensor2D;
  });
}

/** mean_jk (corr(a)_jk − corr(b)_jk)², the correlation-matrix regulariser, a scalar in [0, 4]. */
export function correlationMatchingLoss(a: WeightedSet, b: WeightedSet): tf.Scalar {
  invariant(
    a.points.rank === 2 && b.points.rank === 2 && a.points.shape[1] === b.points.shape[1],
    `both sets need the same feature width, got [${a.points.shape.join(', ')}] and [${b.points.shape.join(', ')}]`,
  );
  return tf.tidy(() => tf.mean(tf.square(tf.sub(correlationMatrix(a), correlationMatrix(b)))) as tf.Scalar);
}

export interface MmganLossOptions {
  /** σ² of the Gaussian kernel (feature units squared): a number, or a scalar such as medianHeuristicBandwidth's. */
  readonly squaredBandwidth: tf.Scalar | number;
  /** Weight of the squared centroid distance in H. Default 1. */
  readonly centroidWeight?: number;
  /** Weight of the squared radius difference. Default 1. */
  readonly radiusWeight?: number;
  /** Weight of the correlation-matrix regulariser. Default 1. */
  readonly correlationWeight?: number;
}

/** MMGAN's manifold-matching term and its parts (each part unweighted). */
export interface MmganManifoldLoss {
  /** λ_c·centroid + λ_r·radius + λ_ρ·correlation. */
  readonly total: tf.Scalar;
  /** ‖μ_real − μ_fake‖²_H. */
  readonly centroid: tf.Scalar;
  /** (R_real − R_fake)². */
  readonly radius: tf.Scalar;
  /** mean (corr(real) − corr(fake))². */
  readonly correlation: tf.Scalar;
}

/**
 * The generator's manifold-matching term:
 *   total = λ_c ‖μ_r − μ_f‖²_H + λ_r (R_r − R_f)² + λ_ρ mean(corr_r − corr_f)².
 * Gradients flow into whichever points carry them: in a generator step that is the current fake
 * batch (inside `fake`); the real set is data and its memory holds constants.
 */
export function mmganManifoldLoss(real: WeightedSet, fake: WeightedSet, options: MmganLossOptions): MmganManifoldLoss {
  checkSet(real, 'real');
  checkSet(fake, 'fake');
  const sigma2 = options.squaredBandwidth;
  return tf.tidy(() => {
    const centroid = rkhsCentroidDistance(real, fake, sigma2);
    const radius = tf.square(tf.sub(rkhsRadius(real, sigma2), rkhsRadius(fake, sigma2))) as tf.Scalar;
    const correlation = correlationMatchingLoss(real, fake);
    const total = tf.addN([
      tf.mul(options.centroidWeight ?? DEFAULT_CENTROID_WEIGHT, centroid),
      tf.mul(options.radiusWeight ?? DEFAULT_RADIUS_WEIGHT, radius),
      tf.mul(options.correlationWeight ?? DEFAULT_CORRELATION_WEIGHT, correlation),
    ]) as tf.Scalar;
    return { total, centroid, radius, correlation };
  });
}
