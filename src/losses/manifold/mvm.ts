/**
 * MvM, manifold matching via deep metric learning (Dai & Hang, ICCV 2021), in the form of the
 * authors' code (dzld00/pytorch-manifold-matching, loss.py and train.py):
 *   metric network F: triplet loss with anchor and positive real, negative generated;
 *   generator G: match the real and fake manifolds in F's embedding by their pairwise-distance
 *     ("diameter") matrices and their centroids.
 * Every function is pure; the caller draws the permutations, so a step is reproducible.
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import { checkRows, pairwiseSquaredDistances, safeNorm, safeSqrt } from './geometry.js';

/** Triplet margin m of the reference (train.py `--margin`, default 1). */
export const DEFAULT_TRIPLET_MARGIN = 1;
/** Weight α of the angular term (train.py `--alpha`, default 1e-2). */
export const DEFAULT_ANGULAR_WEIGHT = 0.01;
/** ε of the cosine similarity, as the reference's nn.CosineSimilarity(eps=1e-6). */
export const COSINE_EPS = 1e-6;

export interface TripletOptions {
  /** Margin m added to d+ − d− (squared-distance units). Default 1. */
  readonly margin?: number;
  /** Weight α of the summed cosine term. Default 0.01. */
  readonly angularWeight?: number;
  /**
   * 'hinge': relu(·) as in the reference's 64-px train.py (default); 'softplus': log(1 + e^·), the
   * reference's StyleGAN2 variant (implementation-stylegan2/loss.py).
   */
  readonly form?: 'hinge' | 'softplus';
}

/** The metric network's triplet loss of one batch. */
export interface TripletLoss {
  /** mean_i form(d+_i − d−_i + m − α·c), a scalar. */
  readonly loss: tf.Scalar;
  /** Fraction of triplets with d−_i > d+_i (the fake farther from the anchor than the real), in [0, 1]. */
  readonly separatedFraction: tf.Scalar;
  /** c = Σ_i cos(n_i − a_i, p_i − a_i), the angular term before its weight, in [−B, B]. */
  readonly angular: tf.Scalar;
}

/** Rowwise cosine similarity u·v / (max(‖u‖, ε) · max(‖v‖, ε)) → [B] (PyTorch's CosineSimilarity). */
function rowCosine(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D {
  const norm = (x: tf.Tensor2D) => tf.maximum(safeSqrt(tf.sum(tf.square(x), 1)), COSINE_EPS);
  return tf.div(tf.sum(tf.mul(u, v), 1), tf.mul(norm(u), norm(v))) as tf.Tensor1D;
}

/**
 * The triplet loss of the reference's loss.py, term for term:
 *   d+_i = ‖a_i − p_i‖², d−_i = ‖a_i − n_i‖² (squared, not rooted),
 *   c = Σ_i cos(n_i − a_i, p_i − a_i)   (one scalar, summed over the batch, not averaged),
 *   loss = mean_i relu(d+_i − d−_i + m − α·c).
 * The angular term is shared by every triplet: minimising the loss (while some hinge is active)
 * raises the cosines, i.e. turns each fake's offset from its anchor towards the real positive's.
 * @param anchor [B, E], positive [B, E], negative [B, E] float32 embeddings.
 */
export function tripletLoss(anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, options: TripletOptions = {}): TripletLoss {
  const batch = checkRows(anchor, 'anchor');
  for (const [x, what] of [[positive, 'positive'], [negative, 'negative']] as const) {
    invariant(
      x.rank === 2 && x.shape[0] === batch && x.shape[1] === anchor.shape[1],
      `${what} must be [${anchor.shape.join(', ')}] like the anchor, got [${x.shape.join(', ')}]`,
    );
  }
  const margin = options.margin ?? DEFAULT_TRIPLET_MARGIN;
  const alpha = options.angularWeight ?? DEFAULT_ANGULAR_WEIGHT;
  return tf.tidy(() => {
    const toPositive = tf.sub(positive, anchor) as tf.Tensor2D;
    const toNegative = tf.sub(negative, anchor) as tf.Tensor2D;
    const dPositive = tf.sum(tf.square(toPositive), 1);
    const dNegative = tf.sum(tf.square(toNegative), 1);
    const angular = tf.sum(rowCosine(toNegative, toPositive)) as tf.Scalar;
    const violation = tf.sub(tf.add(tf.sub(dPositive, dNegative), margin), tf.mul(alpha, angular));
    const perTriplet = options.form === 'softplus' ? tf.softplus(violation) : tf.relu(violation);
    return {
      loss: tf.mean(perTriplet) as tf.Scalar,
      separatedFraction: tf.mean(tf.cast(tf.greater(dNegative, dPositive), 'float32')) as tf.Scalar,
      angular,
    };
  });
}

/** The two batch permutations of one metric step (the reference's r1 and r2). */
export interface TripletPermutations {
  /** positive_i = real[positive[i]]: [B] int32. */
  readonly positive: tf.Tensor1D;
  /** negative_i = fake[negative[i]]: [B] int32. */
  readonly negative: tf.Tensor1D;
}

/**
 * Draws the permutations from `rng` (positive first, then negative), as the reference's two
 * torch.randperm calls; a permutation may map i to itself, which gives d+_i = 0 and a zero
 * cosine for that anchor, as in the reference. The caller owns `rng` and its checkpointed state.
 */
export function drawTripletPermutations(batchSize: number, rng: Rng): TripletPermutations {
  invariant(Number.isInteger(batchSize) && batchSize > 0, `batchSize must be a positive integer, got ${batchSize}`);
  const positive = rng.permutation(batchSize);
  const negative = rng.permutation(batchSize);
  return { positive: tf.tensor1d(positive, 'int32'), negative: tf.tensor1d(negative, 'int32') };
}

/**
 * The metric network's loss of a step: anchor = real embeddings in order, positive = the real
 * embeddings permuted, negative = the fake embeddings permuted. The fakes should come from a
 * detached forward pass (the reference feeds fake_img.detach()).
 * @param real [B, E], fake [B, E]; permutations of 0..B−1 as [B] int32.
 */
export function metricTripletLoss(real: tf.Tensor2D, fake: tf.Tensor2D, permutations: TripletPermutations, options: TripletOptions = {}): TripletLoss {
  const batch = checkRows(real, 'real');
  invariant(
    fake.rank === 2 && fake.shape[0] === batch && fake.shape[1] === real.shape[1],
    `fake must be [${real.shape.join(', ')}] like real, got [${fake.shape.join(', ')}]`,
  );
  for (const [perm, what] of [[permutations.positive, 'positive'], [permutations.negative, 'negative']] as const) {
    invariant(
      perm.rank === 1 && perm.shape[0] === batch && perm.dtype === 'int32',
      `the ${what} permutation must be int32 [${batch}], got ${perm.dtype} [${perm.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => ({ ...tripletLoss(real, tf.gather(real, permutations.positive), tf.gather(fake, permutations.negative), options) }));
}

/** The generator's manifold-matching loss of one batch. */
export interface ManifoldMatchingLoss {
  /** diameter + centroid. */
  readonly total: tf.Scalar;
  /** ‖P(real) − P(fake)‖_F over the [B, B] matrices of pairwise squared distances. */
  readonly diameter: tf.Scalar;
  /** ‖mean_i real_i − mean_i fake_i‖₂. */
  readonly centroid: tf.Scalar;
}

/**
 * The reference's g_loss = p_dist + c_dist:
 *   P(x)[i, j] = ‖x_i − x_j‖² (squared distances, the "2-diameters"),
 *   diameter = ‖P(real) − P(fake)‖_F (torch.dist(·, ·, 2): the root of the summed squares, not
 *     squared, not averaged), centroid = ‖mean real − mean fake‖₂ (likewise rooted).
 * Row i of real and of fake are paired only through their position in the batch: P compares the
 * i-j distance of the reals with the i-j distance of the fakes, as in the reference.
 * @param real [B, E], fake [B, E] float32 embeddings.
 */
export function manifoldMatchingLoss(real: tf.Tensor2D, fake: tf.Tensor2D): ManifoldMatchingLoss {
  const batch = checkRows(real, 'real');
  invariant(
    fake.rank === 2 && fake.shape[0] === batch && fake.shape[1] === real.shape[1],
    `fake must be [${real.shape.join(', ')}] like real, got [${fake.shape.join(', ')}]`,
  );
  return tf.tidy(() => {
    const diameter = safeNorm(tf.sub(pairwiseSquaredDistances(real, real), pairwiseSquaredDistances(fake, fake)));
    const centroid = safeNorm(tf.sub(tf.mean(real, 0), tf.mean(fake, 0)));
    return { total: tf.add(diameter, centroid) as tf.Scalar, diameter, centroid };
  });
}
