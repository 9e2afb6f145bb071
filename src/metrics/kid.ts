/**
 * Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs"): the unbiased
 * estimator of the squared MMD between real and generated features under the cubic polynomial
 * kernel k(x, y) = (xᵀy / d + 1)³, averaged over random subsets as in the authors' code
 * (`polynomial_mmd_averages` in their MMD-GAN repository): each subset draws `subsetSize` rows of each
 * set without replacement, independently per set and per subset. Unlike FID, the estimator is
 * unbiased, so values from different sample sizes are comparable; it can be slightly negative.
 *
 * When each subset must be the whole of both sets (subsetSize equals the rows of each, e.g. 1,000
 * real and 1,000 generated images with the default subset size), every subset gives the same MMD²
 * up to rounding, and a standard deviation over them would only measure that rounding (±1e-13).
 * Such a KID is computed once, on all rows, and reported without a spread, with a warning.
 */
import { Rng } from '../util/rng.js';
import { userCheck } from '../util/errors.js';
import type { FeatureMatrix } from './feature-matrix.js';
import { checkFeatures } from './stats.js';

/** Subsets averaged over by default (the authors' `n_subsets`). */
export const DEFAULT_KID_SUBSETS = 100;
/** Default subset size is min(this, rows of the smaller set) (the authors' `subset_size`). */
export const DEFAULT_KID_MAX_SUBSET_SIZE = 1000;

/** How kid() draws its subsets. */
export interface KidOptions {
  /** Seed of the subset draws (any integer); the same seed gives the same result. */
  readonly seed: number;
  /** Number of subsets, ≥ 1. Default DEFAULT_KID_SUBSETS. */
  readonly subsets?: number;
  /** Rows per set in each subset, 2 ≤ subsetSize ≤ min(real rows, fake rows). Default min(1000, that min). */
  readonly subsetSize?: number;
}

/** KID over subsets: mean and population standard deviation (numpy's std, as the authors report). */
export interface KidResult {
  /** Mean of the per-subset MMD² (KID itself). */
  readonly mean: number;
  /**
   * Population standard deviation of the per-subset MMD²; null when there is no spread to report:
   * one subset, or subsets that cannot differ (each the whole of both sets, computed once).
   */
  readonly std: number | null;
  /** Subsets drawn (1 when subsets could not differ). */
  readonly subsets: number;
  /** Rows of each set per subset. */
  readonly subsetSize: number;
  /** Why std is null when subsets could not differ, for the user (one line). */
  readonly warning?: string;
}

/** xᵀy / d + 1, cubed: the kernel of KID on a dot product s = xᵀy. */
function cubic(s: number, invD: number): number {
  const k = s * invD + 1;
  return k * k * k;
}

/** Σ_t v[a + t] · w[b + t] for t < length. */
function dotRange(v: Float64Array, a: number, w: Float64Array, b: number, length: number): number {
  let s = 0;
  for (let t = 0; t < length; t++) s += v[a + t] * w[b + t];
  return s;
}

/**
 * Σ k(xᵢ, yⱼ) over all pairs, or over pairs i < j when `upper` (x and y the same matrix), with the
 * cubic kernel k = (xᵀy / d + 1)³. x is [nx, d], y is [ny, d], both row-major.
 */
function kernelSum(x: Float64Array, nx: number, y: Float64Array, ny: number, d: number, upper: boolean): number {
  const invD = 1 / d;
  let total = 0;
  let i = 0;
  // Rows i, i+1 against columns j, j+1 per pass (2×2 dot products), which halves the loads per
  // multiply-add. With `upper`, the pair (i, i+1) is taken alone and the columns start at i + 2.
  for (; i + 1 < nx; i += 2) {
    const x0 = i * d;
    const x1 = x0 + d;
    let j = 0;
    if (upper) {
      total += cubic(dotRange(x, x0, y, x1, d), invD);
      j = i + 2;
    }
    for (; j + 1 < ny; j += 2) {
      const y0 = j * d;
      const y1 = y0 + d;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let t = 0; t < d; t++) {
        const a0 = x[x0 + t];
        const a1 = x[x1 + t];
        const b0 = y[y0 + t];
        const b1 = y[y1 + t];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      total += cubic(s00, invD) + cubic(s01, invD) + cubic(s10, invD) + cubic(s11, invD);
    }
    if (j < ny) total += cubic(dotRange(x, x0, y, j * d, d), invD) + cubic(dotRange(x, x1, y, j * d, d), invD);
  }
  if (i < nx) {
    for (let j = upper ? i + 1 : 0; j < ny; j++) total += cubic(dotRange(x, i * d, y, j * d, d), invD);
  }
  return total;
}

/** Unbiased MMD² of row-major x [m ≥ 2, d] and y [n ≥ 2, d] (Gretton et al. 2012's unbiased estimator). */
function unbiasedMmd(x: Float64Array, m: number, y: Float64Array, n: number, d: number): number {
  // Off-diagonal sums of K_XX and K_YY are twice their upper triangles.
  const kxx = (2 * kernelSum(x, m, x, m, d, true)) / (m * (m - 1));
  const kyy = (2 * kernelSum(y, n, y, n, d, true)) / (n * (n - 1));
  const kxy = kernelSum(x, m, y, n, d, false) / (m * n);
  return kxx + kyy - 2 * kxy;
}

/**
 * The unbiased MMD² between all of `x` [m ≥ 2, dim] and all of `y` [n ≥ 2, dim] under the cubic
 * polynomial kernel (KID on one subset that is the whole of both sets):
 *   1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(n(n−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/(mn) Σ_{i,j} k(xᵢ, yⱼ).
 */
export function polynomialMmd(x: FeatureMatrix, y: FeatureMatrix): number {
  checkFeatures(x, 'polynomialMmd: x', 2);
  checkFeatures(y, 'polynomialMmd: y', 2);
  userCheck(x.cols === y.cols, () => `polynomialMmd: feature dimensions differ (${x.cols} vs ${y.cols})`);
  return unbiasedMmd(x.data, x.rows, y.data, y.rows, x.cols);
}

/** Copies `count` rows of `source`, drawn without replacement by a partial Fisher–Yates shuffle, into `out`. */
function drawRows(source: FeatureMatrix, count: number, rng: Rng, indices: Int32Array, out: Float64Array): void {
  const n = source.rows;
  const d = source.cols;
  for (let i = 0; i < n; i++) indices[i] = i;
  for (let t = 0; t < count; t++) {
    const j = t + rng.int(n - t);
    const chosen = indices[j];
    indices[j] = indices[t];
    indices[t] = chosen;
    out.set(source.data.subarray(chosen * d, (chosen + 1) * d), t * d);
  }
}

/**
 * KID between `real` [n1, dim] and `fake` [n2, dim]: the unbiased cubic-kernel MMD² over `subsets`
 * random subsets of `subsetSize` rows of each. Costs about 2 · subsets · subsetSize² · dim
 * multiply-adds (e.g. 2.6e10 for the defaults at dim 128).
 */
export function kid(real: FeatureMatrix, fake: FeatureMatrix, options: KidOptions): KidResult {
  checkFeatures(real, 'kid: real features', 2);
  checkFeatures(fake, 'kid: fake features', 2);
  userCheck(real.cols === fake.cols, () => `kid: feature dimensions differ (real ${real.cols} vs fake ${fake.cols})`);
  userCheck(Number.isInteger(options.seed), () => `kid: seed must be an integer, got ${options.seed}`);
  const subsets = options.subsets ?? DEFAULT_KID_SUBSETS;
  const available = Math.min(real.rows, fake.rows);
  const subsetSize = options.subsetSize ?? Math.min(DEFAULT_KID_MAX_SUBSET_SIZE, available);
  userCheck(Number.isInteger(subsets) && subsets >= 1, () => `kid: subsets must be an integer >= 1, got ${subsets}`);
  userCheck(
    Number.isInteger(subsetSize) && subsetSize >= 2 && subsetSize <= available,
    () => `kid: subsetSize must be an integer in [2, ${available}] (the smaller set's rows), got ${subsetSize}`,
  );
  const d = real.cols;
  if (subsetSize === real.rows && subsetSize === fake.rows) {
    const mean = unbiasedMmd(fake.data, fake.rows, real.data, real.rows, d);
    const size = subsetSize.toLocaleString('en-US');
    const warning = `KID has no spread: each subset of ${size} images is the whole of both sets (${size} images each), so subsets cannot differ; use more images than the subset size for a spread`;
    return { mean, std: null, subsets: 1, subsetSize, warning };
  }
  const rng = new Rng(options.seed);
  const indices = new Int32Array(Math.max(real.rows, fake.rows));
  const fakeRows = new Float64Array(subsetSize * d);
  const realRows = new Float64Array(subsetSize * d);
  const values = new Float64Array(subsets);
  for (let s = 0; s < subsets; s++) {
    drawRows(fake, subsetSize, rng, indices, fakeRows);
    drawRows(real, subsetSize, rng, indices, realRows);
    values[s] = unbiasedMmd(fakeRows, subsetSize, realRows, subsetSize, d);
  }
  let mean = 0;
  for (const v of values) mean += v;
  mean /= subsets;
  let variance = 0;
  for (const v of values) variance += (v - mean) * (v - mean);
  return { mean, std: subsets === 1 ? null : Math.sqrt(variance / subsets), subsets, subsetSize };
}
