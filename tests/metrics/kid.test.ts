import test from 'ava';
import { featureMatrix } from '../../src/metrics/feature-matrix.js';
import { DEFAULT_KID_SUBSETS, kid, polynomialMmd } from '../../src/metrics/kid.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, tolerance: number, what: string): void {
  t.true(Math.abs(actual - expected) < tolerance, `${what}: ${actual} vs ${expected}`);
}

// Two sets of 10 points in 3 dimensions (numpy normal draws rounded to 2 decimals; Y scaled by 1.3
// and shifted by 0.4). Expected values from numpy 1.24, the unbiased estimator written out:
//   def mmd(x, y):
//       d = x.shape[1]; k = lambda a, b: (a @ b.T / d + 1) ** 3
//       m, n = len(x), len(y); kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
//       return ((kxx.sum() - np.trace(kxx)) / (m*(m-1)) + (kyy.sum() - np.trace(kyy)) / (n*(n-1))
//               - 2 * kxy.mean())
//   mmd(X, Y) → 3.3065714692405743; mmd(X, Y[:7]) → 2.561566933531505
const X = featureMatrix(
  [
    -0.44, -0.39, -1.39, -2.1, 0.63, -1.17, 0.78, 1.85, -0.11, -1.13, 0.39, 0.76, -0.26, 0.02, 1.34, 1.27, 0.71, -0.87, -0.05, 0.6,
    -0.21, -0.61, -0.77, -0.63, -0.67, -0.45, 1.15, -0.8, 0.89, 0.42,
  ],
  10,
  3,
);
const Y_DATA = [
  0.58, -0.68, -0.19, 2.97, 0.53, 1.1, 1.26, 1.77, 0.09, -0.39, 0.32, 0.06, 1.43, 0.65, 0.71, 0.59, 2, -0.31, -0.22, 1.55, 0.26,
  0.87, -0.55, 0.43, 0.96, -1.33, -0.5, 0.95, 3.32, 1,
];
const Y = featureMatrix(Y_DATA, 10, 3);
const MMD_XY = 3.3065714692405743;

test('polynomialMmd is the unbiased cubic-kernel MMD² computed with numpy', (t) => {
  close(t, polynomialMmd(X, Y), MMD_XY, 1e-12, 'MMD²(X, Y)');
  close(t, polynomialMmd(Y, X), MMD_XY, 1e-12, 'MMD²(Y, X)');
  // Unequal sizes (10 vs 7) and an odd row count.
  close(t, polynomialMmd(X, featureMatrix(Y_DATA.slice(0, 21), 7, 3)), 2.561566933531505, 1e-12, 'MMD²(X, Y[:7])');
});

test('KID with one subset of all rows is the full MMD²; one subset has no spread', (t) => {
  const whole = kid(X, Y, { seed: 1, subsets: 1, subsetSize: 10 });
  close(t, whole.mean, MMD_XY, 1e-12, 'mean');
  t.is(whole.std, null);
  t.is(whole.subsets, 1);
  t.is(whole.subsetSize, 10);
  // One subset of 9 rows of each: a single value, so no spread, but nothing to warn about.
  const one = kid(X, featureMatrix(Y_DATA.slice(0, 27), 9, 3), { seed: 1, subsets: 1, subsetSize: 9 });
  t.is(one.std, null);
  t.is(one.subsets, 1);
  t.is(one.warning, undefined);
});

test('KID guard: subsets that must each be the whole of both sets give one MMD², no spread, and a warning', (t) => {
  // 1,000 real and 1,000 fake rows with the default subset size (1,000): every subset is all rows,
  // so the 100 values differ only by rounding, and their std (about 1e-13) would mislead.
  const rng = new Rng(3);
  const rows = (shift: number) => featureMatrix(Float64Array.from({ length: 1000 * 4 }, () => rng.next() + shift), 1000, 4);
  const real = rows(0);
  const fake = rows(0.3);
  const result = kid(real, fake, { seed: 0 });
  t.is(result.std, null);
  t.is(result.subsets, 1, 'computed once');
  t.is(result.subsetSize, 1000);
  close(t, result.mean, polynomialMmd(fake, real), 1e-12, 'the MMD² of all rows');
  t.regex(result.warning ?? '', /^KID has no spread: each subset of 1,000 images is the whole of both sets \(1,000 images each\), so subsets cannot differ/);
  // The same with three subsets of all 10 rows asked for explicitly.
  const three = kid(Y, X, { seed: 2, subsets: 3, subsetSize: 10 });
  close(t, three.mean, MMD_XY, 1e-12, 'mean');
  t.is(three.std, null);
  t.truthy(three.warning);
});

test('KID keeps its spread when only the smaller set is whole in every subset', (t) => {
  // 10 real rows, 7 fake: each subset takes all 7 fake rows but 7 of the 10 real ones.
  const result = kid(X, featureMatrix(Y_DATA.slice(0, 21), 7, 3), { seed: 4 });
  t.is(result.subsets, DEFAULT_KID_SUBSETS);
  t.is(result.subsetSize, 7);
  t.true((result.std ?? 0) > 1e-6, `std ${result.std}`);
  t.is(result.warning, undefined);
});

test('KID subsets are reproducible from the seed and differ between seeds', (t) => {
  const a = kid(X, Y, { seed: 7, subsets: 4, subsetSize: 6 });
  const b = kid(X, Y, { seed: 7, subsets: 4, subsetSize: 6 });
  const c = kid(X, Y, { seed: 8, subsets: 4, subsetSize: 6 });
  t.deepEqual(a, b);
  t.not(a.mean, c.mean);
  t.true((a.std ?? 0) > 0, 'subsets of 6 of 10 rows differ');
});

test('KID defaults: 100 subsets of min(1000, rows) rows', (t) => {
  const result = kid(X, featureMatrix(Y_DATA.slice(0, 24), 8, 3), { seed: 0 });
  t.is(result.subsets, DEFAULT_KID_SUBSETS);
  t.is(DEFAULT_KID_SUBSETS, 100);
  t.is(result.subsetSize, 8);
});

test('KID rejects a dimension mismatch, too few rows and a subset larger than the smaller set', (t) => {
  t.throws(() => kid(X, featureMatrix(new Float64Array(20), 10, 2), { seed: 0 }), {
    instanceOf: UserError,
    message: 'kid: feature dimensions differ (real 3 vs fake 2)',
  });
  t.throws(() => kid(X, featureMatrix([1, 2, 3], 1, 3), { seed: 0 }), {
    instanceOf: UserError,
    message: 'kid: fake features: need at least 2 rows (images), got 1',
  });
  t.throws(() => kid(X, featureMatrix(Y_DATA.slice(0, 21), 7, 3), { seed: 0, subsetSize: 8 }), {
    instanceOf: UserError,
    message: /kid: subsetSize must be an integer in \[2, 7\]/,
  });
  t.throws(() => kid(X, Y, { seed: 0, subsets: 0 }), { instanceOf: UserError, message: /kid: subsets must be an integer >= 1/ });
  t.throws(() => polynomialMmd(X, featureMatrix([1, 2], 1, 2)), { instanceOf: UserError, message: /polynomialMmd: y: need at least 2 rows/ });
});
