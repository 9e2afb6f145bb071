/**
 * Fréchet Inception Distance (Heusel et al. 2017): the Fréchet (2-Wasserstein) distance
 * between Gaussians fitted to two feature sets,
 *
 *   FID = ||μ1 − μ2||² + Tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½).
 *
 * Σ1 Σ2 is not symmetric, and the usual scipy.linalg.sqrtm of it can return complex values or lose
 * digits when Σ1 is singular (fewer images than feature dimensions). Instead, with
 * A = Σ1^½ (symmetric, from Σ1's eigendecomposition, rounding-level eigenvalues set to 0 as below),
 * Σ1 Σ2 = A · (A Σ2) has the eigenvalues of (A Σ2) · A = A Σ2 A (XY and YX share them, even for
 * singular A), which is symmetric positive semi-definite, so Tr((Σ1 Σ2)^½) = Σᵢ √λᵢ(A Σ2 A):
 * two symmetric eigendecompositions, all in float64.
 *
 * Eigenvalues of a PSD matrix that the solver cannot tell from 0 (below dim · ε · λmax, its rounding
 * level) are set to 0, negative ones included: otherwise √ turns a rounding residue of 1e-12 into
 * 1e-6 per null direction, and a singular Σ1 (fewer images than dimensions, or dead features) would
 * give FID(A, A) ≈ 1e-5 instead of 0.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { userCheck } from '../util/errors.js';
import type { FeatureMatrix } from './feature-matrix.js';
import { checkGaussianStats, gaussianStats, type GaussianStats } from './stats.js';

/** C = A · B for square [d, d] row-major matrices. */
function multiply(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const ci = i * d;
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      if (aik === 0) continue;
      const bk = k * d;
      for (let j = 0; j < d; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

/**
 * Eigenvalues and eigenvectors (columns of `vectors`, [d, d] row-major) of a symmetric positive
 * semi-definite matrix, with the eigenvalues below its rounding level set to 0.
 */
function psdEigen(matrix: Float64Array, d: number, withVectors: boolean): { values: Float64Array; vectors: Float64Array } {
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(d, d, matrix), { assumeSymmetric: true });
  const values = Float64Array.from(evd.realEigenvalues);
  let largest = 0;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  const roundingLevel = d * Number.EPSILON * largest;
  for (let i = 0; i < d; i++) if (values[i] <= roundingLevel) values[i] = 0;
  const vectors = new Float64Array(withVectors ? d * d : 0);
  if (withVectors) {
    const v = evd.eigenvectorMatrix;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) vectors[i * d + j] = v.get(i, j);
  }
  return { values, vectors };
}

/**
 * Tr((Σ1 Σ2)^½) for symmetric positive semi-definite Σ1, Σ2 ([dim, dim] row-major).
 *
 * With Σ1 = V Λ Vᵀ and A = V Λ^½ Vᵀ: A Σ2 A = V (Λ^½ Vᵀ Σ2 V Λ^½) Vᵀ, an orthogonal similarity, so the
 * eigenvalues of A Σ2 A are those of M = Uᵀ Σ2 U with U = V Λ^½, which saves one product.
 */
export function traceSqrtProduct(sigma1: Float64Array, sigma2: Float64Array, dim: number): number {
  const d = dim;
  userCheck(sigma1.length === d * d && sigma2.length === d * d, () => `traceSqrtProduct: covariances must be [${d}, ${d}]`);
  // 1. Σ1 = V Λ Vᵀ, with Λ's rounding-level entries (negative ones included) set to 0.
  const { values, vectors } = psdEigen(sigma1, d, true);
  const u = vectors;
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(values[j]);
    for (let i = 0; i < d; i++) u[i * d + j] *= s;
  }
  // 2. M = Uᵀ (Σ2 U), symmetrised to remove the rounding asymmetry before the symmetric solver.
  const w = multiply(sigma2, u, d);
  const m = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const uk = k * d;
    for (let i = 0; i < d; i++) {
      const uki = u[uk + i];
      if (uki === 0) continue;
      const mi = i * d;
      for (let j = 0; j < d; j++) m[mi + j] += uki * w[uk + j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const v = 0.5 * (m[i * d + j] + m[j * d + i]);
      m[i * d + j] = v;
      m[j * d + i] = v;
    }
  }
  // 3. Tr(M^½) = Σ √λᵢ(M), again with rounding-level eigenvalues set to 0.
  let trace = 0;
  for (const lambda of psdEigen(m, d, false).values) trace += Math.sqrt(lambda);
  return trace;
}

/**
 * FID between two sets of Gaussian statistics of the same dimension, each from at least 2 rows.
 * Not clamped: rounding can leave a value of about −1e-12 for identical statistics.
 */
export function fidFromStats(a: GaussianStats, b: GaussianStats): number {
  checkGaussianStats(a, 'fid: first statistics');
  checkGaussianStats(b, 'fid: second statistics');
  userCheck(a.dim === b.dim, () => `fid: feature dimensions differ (${a.dim} vs ${b.dim}); both sets must come from the same extractor layer`);
  const d = a.dim;
  // 1. ||μ1 − μ2||².
  let meanTerm = 0;
  for (let i = 0; i < d; i++) {
    const diff = a.mean[i] - b.mean[i];
    meanTerm += diff * diff;
  }
  // 2. Tr Σ1 + Tr Σ2 − 2 Tr((Σ1 Σ2)^½).
  let traces = 0;
  for (let i = 0; i < d; i++) traces += a.covariance[i * d + i] + b.covariance[i * d + i];
  return meanTerm + traces - 2 * traceSqrtProduct(a.covariance, b.covariance, d);
}

/** FID between feature matrices `a` [n1 ≥ 2, dim] and `b` [n2 ≥ 2, dim] (e.g. real and generated). */
export function fid(a: FeatureMatrix, b: FeatureMatrix): number {
  userCheck(a.cols === b.cols, () => `fid: feature dimensions differ (${a.cols} vs ${b.cols}); both sets must come from the same extractor layer`);
  return fidFromStats(gaussianStats(a, 'fid: first features'), gaussianStats(b, 'fid: second features'));
}
