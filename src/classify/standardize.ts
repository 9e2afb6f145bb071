/**
 * Per-column standardization z = (x − μ) / σ of frozen features before the linear classifier, so
 * one L2 strength λ means the same thing for every column and every encoder block (docs/ALGORITHMS.md
 * § Linear classifier). The statistics are fitted on training rows only and then applied to any rows.
 */
import type { FeatureMatrix } from '../metrics/feature-matrix.js';
import { invariant } from '../util/errors.js';

/** Fitted statistics, JSON-safe (plain arrays) so they can be stored next to a classifier. */
export interface Standardizer {
  /** Column means μ, length = feature dimension. */
  readonly mean: number[];
  /**
   * Column population standard deviations σ (divisor n, as sklearn's StandardScaler), length =
   * feature dimension. A constant column (max = min) stores 1, so it maps to 0 instead of 0/0.
   */
  readonly std: number[];
}

/** Fits μ and σ per column of `x` [rows ≥ 1, cols]. */
export function fitStandardizer(x: FeatureMatrix): Standardizer {
  invariant(x.rows >= 1, `fitStandardizer: need at least one row, got ${x.rows}`);
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols);
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[offset + j];
      mean[j] += v;
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  // Two passes: Σ(x − μ)² does not cancel catastrophically the way Σx² − nμ² does.
  const variance = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) {
      const centred = data[offset + j] - mean[j];
      variance[j] += centred * centred;
    }
  }
  const std: number[] = new Array<number>(cols);
  for (let j = 0; j < cols; j++) {
    invariant(Number.isFinite(mean[j]), `fitStandardizer: column ${j} has a non-finite value`);
    // Exact test rather than σ = 0: the rounded mean of a constant column can differ from its value
    // by an ulp, which would leave σ ≈ 1e-17 and blow (x − μ) / σ up to ±1.
    std[j] = min[j] === max[j] ? 1 : Math.sqrt(variance[j] / rows);
  }
  return { mean: Array.from(mean), std };
}

/** (x − μ) / σ for every row of `x` [rows, cols]; returns a new matrix. */
export function applyStandardizer(standardizer: Standardizer, x: FeatureMatrix): FeatureMatrix {
  const { mean, std } = standardizer;
  invariant(
    mean.length === x.cols && std.length === x.cols,
    `applyStandardizer: standardizer has ${mean.length} columns, matrix has ${x.cols}`,
  );
  const { rows, cols, data } = x;
  const inverseStd = std.map((s) => 1 / s);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) out[offset + j] = (data[offset + j] - mean[j]) * inverseStd[j];
  }
  return { rows, cols, data: out };
}
