/**
 * Inception Score (Salimans et al. 2016, "Improved techniques for training GANs"): IS = exp(E_x KL(p(y|x) || p(y))), high when each
 * image is classified confidently and the classes are used evenly; it lies in [1, classes]. As in
 * the original protocol (`get_inception_score` in openai/improved-gan), the images are cut into
 * `splits` contiguous parts, p(y) is the mean prediction of each part, and the result is the mean
 * and population standard deviation of the per-part scores.
 */
import { userCheck } from '../util/errors.js';
import type { FeatureMatrix } from './feature-matrix.js';
import { checkFeatures } from './stats.js';

/** Contiguous parts the images are cut into by default (the original protocol's 10). */
export const DEFAULT_IS_SPLITS = 10;
/** How far a row of probabilities may sum from 1 (float32 softmax over 1000 classes stays well inside). */
const PROBABILITY_SUM_TOLERANCE = 1e-3;

/** Options of inceptionScore. */
export interface InceptionScoreOptions {
  /** Contiguous parts, 1 ≤ splits ≤ rows. Default DEFAULT_IS_SPLITS. */
  readonly splits?: number;
}

/** IS over the splits: mean and population standard deviation (numpy's std, as the original). */
export interface InceptionScoreResult {
  /** Mean of the per-split scores, in [1, classes]. */
  readonly mean: number;
  /** Population standard deviation of the per-split scores. */
  readonly std: number;
  /** Splits used. */
  readonly splits: number;
}

/** IS of rows [start, end) of probabilities `p` [rows, classes]: exp of the mean KL to their marginal. */
function splitScore(p: Float64Array, classes: number, start: number, end: number): number {
  const count = end - start;
  const marginal = new Float64Array(classes);
  for (let i = start; i < end; i++) for (let c = 0; c < classes; c++) marginal[c] += p[i * classes + c];
  for (let c = 0; c < classes; c++) marginal[c] /= count;
  let kl = 0;
  for (let i = start; i < end; i++) {
    for (let c = 0; c < classes; c++) {
      const pc = p[i * classes + c];
      // 0 · log 0 = 0; pc > 0 implies marginal[c] > 0.
      if (pc > 0) kl += pc * (Math.log(pc) - Math.log(marginal[c]));
    }
  }
  return Math.exp(kl / count);
}

/**
 * IS from class probabilities `probabilities` [rows, classes]: each row non-negative and summing
 * to 1 (within 1e-3). For logits use inceptionScoreFromLogits.
 */
export function inceptionScore(probabilities: FeatureMatrix, options: InceptionScoreOptions = {}): InceptionScoreResult {
  const splits = options.splits ?? DEFAULT_IS_SPLITS;
  checkFeatures(probabilities, 'inceptionScore: probabilities', 1);
  const { rows, cols: classes, data } = probabilities;
  userCheck(
    Number.isInteger(splits) && splits >= 1 && splits <= rows,
    () => `inceptionScore: splits must be an integer in [1, ${rows}] (the rows), got ${splits}`,
  );
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const v = data[i * classes + c];
      userCheck(v >= 0, () => `inceptionScore: row ${i} has a negative probability ${v}; pass logits to inceptionScoreFromLogits`);
      sum += v;
    }
    userCheck(
      Math.abs(sum - 1) <= PROBABILITY_SUM_TOLERANCE,
      () => `inceptionScore: row ${i} sums to ${sum}, not 1; pass logits to inceptionScoreFromLogits`,
    );
  }
  // Part k holds rows [⌊k·rows/splits⌋, ⌊(k+1)·rows/splits⌋), as the original's integer slicing.
  const scores = new Float64Array(splits);
  for (let k = 0; k < splits; k++) {
    scores[k] = splitScore(data, classes, Math.floor((k * rows) / splits), Math.floor(((k + 1) * rows) / splits));
  }
  let mean = 0;
  for (const s of scores) mean += s;
  mean /= splits;
  let variance = 0;
  for (const s of scores) variance += (s - mean) * (s - mean);
  return { mean, std: Math.sqrt(variance / splits), splits };
}

/** Row-wise softmax of `logits` [rows, classes], shifted by each row's maximum so exp cannot overflow. */
export function softmaxRows(logits: FeatureMatrix): FeatureMatrix {
  checkFeatures(logits, 'softmaxRows: logits', 1);
  const { rows, cols, data } = logits;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, data[offset + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(data[offset + c] - max);
      out[offset + c] = e;
      sum += e;
    }
    for (let c = 0; c < cols; c++) out[offset + c] /= sum;
  }
  return { rows, cols, data: out };
}

/** IS from classifier logits `logits` [rows, classes] (softmax applied here). */
export function inceptionScoreFromLogits(logits: FeatureMatrix, options: InceptionScoreOptions = {}): InceptionScoreResult {
  return inceptionScore(softmaxRows(logits), options);
}
