/**
 * Gaussian statistics of a feature matrix (mean vector and unbiased covariance), the sufficient
 * statistics of FID (Heusel et al. 2017), and their JSON form so a caller can cache the statistics
 * of the real set on disk and compare many generators against them.
 *
 * Everything is float64: the covariance of 10k rows and FID's matrix square root lose digits in
 * float32, and FID is often a small difference of large traces.
 */
import { UserError, userCheck } from '../util/errors.js';
import type { FeatureMatrix } from './feature-matrix.js';

/** Mean and covariance of `count` feature vectors of dimension `dim`. */
export interface GaussianStats {
  /** Mean vector: [dim]. */
  readonly mean: Float64Array;
  /** Unbiased covariance (divided by count − 1): [dim, dim] row-major, symmetric. */
  readonly covariance: Float64Array;
  /** Feature dimension. */
  readonly dim: number;
  /** Rows the statistics were computed from (at least 2). */
  readonly count: number;
}

/** GaussianStats as plain arrays, for JSON.stringify (which writes float64 numbers exactly). */
export interface GaussianStatsJson {
  /** Feature dimension. */
  readonly dim: number;
  /** Rows the statistics were computed from. */
  readonly count: number;
  /** [dim]. */
  readonly mean: number[];
  /** [dim · dim] row-major. */
  readonly covariance: number[];
}

/** Rows per chunk of the covariance accumulation: a transposed chunk of 512-dim rows is 512 KiB. */
const COVARIANCE_CHUNK_ROWS = 128;

/** Σ_t v[a + t] · v[b + t] for t < length. */
function dotRange(v: Float64Array, a: number, b: number, length: number): number {
  let s = 0;
  for (let t = 0; t < length; t++) s += v[a + t] * v[b + t];
  return s;
}

/**
 * Checks that `features` is a well-formed [rows, cols] matrix with at least `minRows` rows and only
 * finite values; `what` names it in the error (e.g. "fid: real features").
 */
export function checkFeatures(features: FeatureMatrix, what: string, minRows: number): void {
  const { rows, cols, data } = features;
  userCheck(
    Number.isInteger(rows) && Number.isInteger(cols) && cols >= 1 && data.length === rows * cols,
    () => `${what}: ${data.length} values do not form a [${rows}, ${cols}] matrix`,
  );
  userCheck(rows >= minRows, () => `${what}: need at least ${minRows} rows (images), got ${rows}`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new UserError(`${what}: non-finite value ${data[i]} at row ${Math.floor(i / cols)}, column ${i % cols}`);
    }
  }
}

/** Column means of `features` [rows, cols]: [cols]. */
export function meanVector(features: FeatureMatrix): Float64Array {
  const { rows, cols, data } = features;
  userCheck(rows >= 1, 'meanVector: need at least 1 row');
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) mean[j] += data[offset + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/**
 * Unbiased covariance of `features` [rows ≥ 2, cols]: [cols, cols] row-major, divided by rows − 1
 * (numpy.cov's default, as pytorch-fid and TF-GAN use). Two-pass (centre, then accumulate) so a
 * large common offset does not cancel digits; `mean` may be passed when already computed.
 */
export function covarianceMatrix(features: FeatureMatrix, mean: Float64Array = meanVector(features)): Float64Array {
  const { rows, cols: d, data } = features;
  userCheck(rows >= 2, () => `covarianceMatrix: need at least 2 rows, got ${rows}`);
  userCheck(mean.length === d, () => `covarianceMatrix: mean has ${mean.length} entries for ${d} columns`);
  const cov = new Float64Array(d * d);
  // C = Xcᵀ Xc accumulated over chunks of rows: each chunk is centred and transposed so the inner
  // loops run over contiguous columns of the chunk and stay in cache.
  const chunk = new Float64Array(d * COVARIANCE_CHUNK_ROWS);
  for (let start = 0; start < rows; start += COVARIANCE_CHUNK_ROWS) {
    const m = Math.min(COVARIANCE_CHUNK_ROWS, rows - start);
    for (let r = 0; r < m; r++) {
      const offset = (start + r) * d;
      for (let j = 0; j < d; j++) chunk[j * m + r] = data[offset + j] - mean[j];
    }
    // 2×2 output entries per pass (columns i, i+1 against j, j+1), which halves the loads per
    // multiply-add; entries below the diagonal are overwritten from above at the end.
    let i = 0;
    for (; i + 1 < d; i += 2) {
      const c0 = i * m;
      const c1 = c0 + m;
      let j = i;
      for (; j + 1 < d; j += 2) {
        const e0 = j * m;
        const e1 = e0 + m;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let r = 0; r < m; r++) {
          const x0 = chunk[c0 + r];
          const x1 = chunk[c1 + r];
          const y0 = chunk[e0 + r];
          const y1 = chunk[e1 + r];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
        }
        cov[i * d + j] += s00;
        cov[i * d + j + 1] += s01;
        cov[(i + 1) * d + j] += s10;
        cov[(i + 1) * d + j + 1] += s11;
      }
      if (j < d) {
        cov[i * d + j] += dotRange(chunk, c0, j * m, m);
        cov[(i + 1) * d + j] += dotRange(chunk, c1, j * m, m);
      }
    }
    if (i < d) cov[i * d + i] += dotRange(chunk, i * m, i * m, m);
  }
  const scale = 1 / (rows - 1);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[i * d + j] * scale;
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return cov;
}

/** Mean and unbiased covariance of `features` [rows ≥ 2, dim], checked to be finite. */
export function gaussianStats(features: FeatureMatrix, what = 'features'): GaussianStats {
  checkFeatures(features, what, 2);
  const mean = meanVector(features);
  return { mean, covariance: covarianceMatrix(features, mean), dim: features.cols, count: features.rows };
}

/** Checks that `stats` is consistent (lengths, count ≥ 2); `what` names it in the error. */
export function checkGaussianStats(stats: GaussianStats, what: string): void {
  const { dim, count, mean, covariance } = stats;
  userCheck(Number.isInteger(dim) && dim >= 1, () => `${what}: dim must be a positive integer, got ${dim}`);
  userCheck(mean.length === dim, () => `${what}: mean has ${mean.length} entries for dim ${dim}`);
  userCheck(covariance.length === dim * dim, () => `${what}: covariance has ${covariance.length} entries, want ${dim}² = ${dim * dim}`);
  userCheck(Number.isInteger(count) && count >= 2, () => `${what}: need statistics of at least 2 rows (images), got ${count}`);
}

/** `stats` as plain arrays, for JSON.stringify. */
export function gaussianStatsToJson(stats: GaussianStats): GaussianStatsJson {
  return { dim: stats.dim, count: stats.count, mean: Array.from(stats.mean), covariance: Array.from(stats.covariance) };
}

/**
 * Parses the output of gaussianStatsToJson (after JSON.parse), checking every field; `source`
 * (e.g. the cache file's path) names it in the error.
 */
export function gaussianStatsFromJson(value: unknown, source = 'Gaussian statistics'): GaussianStats {
  userCheck(typeof value === 'object' && value !== null && !Array.isArray(value), () => `${source}: not a JSON object`);
  const record = value as Record<string, unknown>;
  const numbers = (key: string): Float64Array => {
    const array = record[key];
    userCheck(Array.isArray(array), () => `${source}: "${key}" must be an array of numbers`);
    const out = new Float64Array(array.length);
    for (let i = 0; i < array.length; i++) {
      const v: unknown = array[i];
      userCheck(typeof v === 'number' && Number.isFinite(v), () => `${source}: "${key}"[${i}] is not a finite number`);
      out[i] = v;
    }
    return out;
  };
  const stats: GaussianStats = {
    dim: record.dim as number,
    count: record.count as number,
    mean: numbers('mean'),
    covariance: numbers('covariance'),
  };
  checkGaussianStats(stats, source);
  return stats;
}
