import test from 'ava';
import { featureMatrix, type FeatureMatrix } from '../../src/metrics/feature-matrix.js';
import { fid, fidFromStats, traceSqrtProduct } from '../../src/metrics/fid.js';
import { gaussianStats } from '../../src/metrics/stats.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, tolerance: number, what: string): void {
  t.true(Math.abs(actual - expected) < tolerance, `${what}: ${actual} vs ${expected}`);
}

/**
 * 8 rows × 3 columns: column j is mean[j] + scale[j] · hⱼ with h the columns 1, 2, 4 of the 8 × 8
 * Sylvester–Hadamard matrix. Those ±1 columns sum to 0 and are orthogonal, so the sample mean is
 * exactly `mean` and the unbiased covariance exactly diag(scale²) · 8/7.
 */
function hadamardSet(mean: readonly number[], scale: readonly number[]): FeatureMatrix {
  const h = [
    [1, -1, 1, -1, 1, -1, 1, -1],
    [1, 1, -1, -1, 1, 1, -1, -1],
    [1, 1, 1, 1, -1, -1, -1, -1],
  ];
  const data: number[] = [];
  for (let i = 0; i < 8; i++) for (let j = 0; j < 3; j++) data.push(mean[j] + scale[j] * h[j][i]);
  return featureMatrix(data, 8, 3);
}

/** Each row x ↦ Q x with Q = Rz · Rx, both rotations with cos 0.6, sin 0.8. */
function rotate(x: FeatureMatrix): FeatureMatrix {
  const rz = [
    [0.6, -0.8, 0],
    [0.8, 0.6, 0],
    [0, 0, 1],
  ];
  const rx = [
    [1, 0, 0],
    [0, 0.6, -0.8],
    [0, 0.8, 0.6],
  ];
  const q = rz.map((row) => [0, 1, 2].map((j) => row[0] * rx[0][j] + row[1] * rx[1][j] + row[2] * rx[2][j]));
  const out: number[] = [];
  for (let i = 0; i < x.rows; i++) {
    const v = Array.from(x.data.subarray(i * 3, i * 3 + 3));
    for (let a = 0; a < 3; a++) out.push(q[a][0] * v[0] + q[a][1] * v[1] + q[a][2] * v[2]);
  }
  return featureMatrix(out, x.rows, 3);
}

/** [rows, cols] standard normal draws (Box–Muller) times column scale 1 + j/4. */
function gaussian(rng: Rng, rows: number, cols: number): FeatureMatrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    data[i] = z * (1 + (i % cols) / 4);
  }
  return featureMatrix(data, rows, cols);
}

// Set A: mean (1, 2, 3), scales (1, 2, 3); set B: mean (0, 2, 5), scales (2, 2, 1). Diagonal (so
// commuting) covariances 8/7 · s² and 8/7 · t² give Tr((Σ1Σ2)^½) = 8/7 · Σ sⱼtⱼ and
//   FID = ||μ1 − μ2||² + 8/7 · Σ (sⱼ − tⱼ)² = (1 + 0 + 4) + 8/7 · (1 + 0 + 4) = 75/7 = 10.714285714…
const SET_A = hadamardSet([1, 2, 3], [1, 2, 3]);
const SET_B = hadamardSet([0, 2, 5], [2, 2, 1]);

test('FID of diagonal-covariance sets equals the closed form 75/7', (t) => {
  close(t, fid(SET_A, SET_B), 75 / 7, 1e-12, 'FID(A, B)');
  close(t, fid(SET_B, SET_A), 75 / 7, 1e-12, 'FID(B, A)');
});

test('FID of commuting, non-diagonal covariances (both sets rotated by one Q) is still 75/7', (t) => {
  // Q Σ1 Qᵀ and Q Σ2 Qᵀ commute and are not diagonal; FID is invariant under a common rotation.
  close(t, fid(rotate(SET_A), rotate(SET_B)), 75 / 7, 1e-12, 'FID(QA, QB)');
});

test('FID of Gaussian samples against the closed form from their sample statistics', (t) => {
  // B = s·A + c: μ2 = s·μ1 + c and Σ2 = s²·Σ1 commute, Tr((Σ1Σ2)^½) = s·Tr Σ1, so
  //   FID = ||(1 − s)·μ1 − c||² + (1 − s)²·Tr Σ1.
  const a = gaussian(new Rng(11), 500, 16);
  const s = 0.5;
  const c = Array.from({ length: 16 }, (_, j) => 0.1 * j - 0.5);
  const b = featureMatrix(
    a.data.map((v, i) => s * v + c[i % 16]),
    500,
    16,
  );
  const stats = gaussianStats(a);
  let expected = 0;
  for (let j = 0; j < 16; j++) {
    expected += ((1 - s) * stats.mean[j] - c[j]) ** 2 + (1 - s) ** 2 * stats.covariance[j * 16 + j];
  }
  close(t, fid(a, b), expected, 1e-9, 'FID(A, 0.5·A + c)');
});

test('FID of a set with itself is 0, also when the covariance is singular (10 rows, 32 dims)', (t) => {
  const full = gaussian(new Rng(12), 200, 32);
  close(t, fid(full, full), 0, 1e-6, 'FID(A, A), 200 × 32');
  const singular = gaussian(new Rng(13), 10, 32);
  close(t, fid(singular, singular), 0, 1e-6, 'FID(A, A), rank-9 covariance');
});

test('FID of non-commuting covariances matches scipy.linalg.sqrtm', (t) => {
  // Expected value from numpy 1.24 / scipy 1.10 (random sets rounded to one decimal):
  //   m1, m2 = A.mean(0), B.mean(0); s1, s2 = np.cov(A, rowvar=False), np.cov(B, rowvar=False)
  //   ((m1 - m2)**2).sum() + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
  //   → 3.3632270118824215 (numpy eigh route: 3.3632270118824206); ||Σ1Σ2 − Σ2Σ1||_max = 0.485.
  const a = featureMatrix([1, 1.6, 1.1, -1, -1.4, 0.1, 0.9, 0.5, 1.8, 0.8, 0.6, -0.7, -1.1, 1.5, 0, 0.8, -1.4, -0.4], 6, 3);
  const b = featureMatrix(
    [-0.8, -1.6, -0.5, -1, -1.1, -0.9, -0.2, -0.5, -1.1, 0.9, -0.9, -0.9, 0.6, 0.8, -0.9, 2.2, -1.3, -0.4, 0.1, -1.9, -0.4],
    7,
    3,
  );
  close(t, fid(a, b), 3.3632270118824215, 1e-10, 'FID(A, B)');
  close(t, fidFromStats(gaussianStats(b), gaussianStats(a)), 3.3632270118824215, 1e-10, 'FID(B, A)');
});

test('FID of singular covariances (4 and 5 rows in 6 dimensions) matches a 50-digit mpmath evaluation', (t) => {
  // Σ1 has rank 3 and Σ2 rank 4. Reference: the same formula in mpmath 1.2 at mp.dps = 50 (exact
  // covariances of the decimal inputs, mpmath.eigsy for Σ1^½ and for the eigenvalues of Σ1^½ Σ2 Σ1^½):
  // 7.1140195071391105218 (7.11401950713911 in float64). scipy.linalg.sqrtm(s1 @ s2) gives 7.114019445396472, 6e-8 off.
  const a = featureMatrix(
    [0, 0.3, -0.3, -0.9, -0.5, -1, 0.1, 1.3, -0.5, -0.6, 0.5, 0.4, 0.1, -0.9, 0, 0.7, -1.3, -0.5, -1.9, -1.3, -1.8, -0.2, -1.3, 0.3],
    4,
    6,
  );
  const b = featureMatrix(
    [0.4, 0.2, -1.7, -0.1, 0.3, 0.4, -0.9, -0.1, -0.5, -0.3, 1.1, -0.3, 0.3, 1, -0.2, 0.2, 0.4, 0.4, -0.7, 0.4, 1.4, -0.9, 1, 0.4, -0.2, 1.9, 0.9, -0.7, 0.4, 0.8],
    5,
    6,
  );
  close(t, fid(a, b), 7.11401950713911, 1e-9, 'FID(A, B)');
});

test('traceSqrtProduct of diagonal matrices is Σ √(aᵢbᵢ)', (t) => {
  // diag(4, 9, 0) · diag(1, 4, 5): √4 + √36 + √0 = 2 + 6 + 0 = 8.
  const a = Float64Array.from([4, 0, 0, 0, 9, 0, 0, 0, 0]);
  const b = Float64Array.from([1, 0, 0, 0, 4, 0, 0, 0, 5]);
  close(t, traceSqrtProduct(a, b, 3), 8, 1e-12, 'Tr((AB)^½)');
});

test('FID rejects a dimension mismatch and sets of fewer than 2 rows', (t) => {
  t.throws(() => fid(SET_A, featureMatrix(new Float64Array(16), 8, 2)), {
    instanceOf: UserError,
    message: /fid: feature dimensions differ \(3 vs 2\)/,
  });
  t.throws(() => fid(SET_A, featureMatrix([1, 2, 3], 1, 3)), {
    instanceOf: UserError,
    message: 'fid: second features: need at least 2 rows (images), got 1',
  });
  const stats = gaussianStats(SET_A);
  t.throws(() => fidFromStats(stats, { ...stats, count: 1 }), { instanceOf: UserError, message: /fid: second statistics: need .* at least 2 rows/ });
  t.throws(() => fidFromStats(stats, gaussianStats(featureMatrix([1, 2, 3, 5], 2, 2))), {
    instanceOf: UserError,
    message: /fid: feature dimensions differ \(3 vs 2\)/,
  });
});
