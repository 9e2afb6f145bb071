import test from 'ava';
import { featureMatrix } from '../../src/metrics/feature-matrix.js';
import { applyStandardizer, fitStandardizer } from '../../src/classify/standardize.js';

// Columns: [1, 2, 3, 4] (μ 2.5, population σ √1.25), [10, 10, 10, 10] (constant), [−3, 1, 0, 2]
// (μ 0, σ √3.5).
const X = featureMatrix([1, 10, -3, 2, 10, 1, 3, 10, 0, 4, 10, 2], 4, 3);

test('fitStandardizer gives column means and population standard deviations', (t) => {
  const s = fitStandardizer(X);
  t.deepEqual(s.mean, [2.5, 10, 0]);
  t.true(Math.abs(s.std[0] - Math.sqrt(1.25)) < 1e-15, `σ₀ = ${s.std[0]}`);
  t.is(s.std[1], 1, 'a constant column stores σ = 1');
  t.true(Math.abs(s.std[2] - Math.sqrt(3.5)) < 1e-15, `σ₂ = ${s.std[2]}`);
  t.deepEqual(JSON.parse(JSON.stringify(s)), s, 'JSON-safe');
});

test('standardized columns have mean 0 and σ 1, constant columns become 0, and z·σ + μ = x', (t) => {
  const s = fitStandardizer(X);
  const z = applyStandardizer(s, X);
  t.is(z.rows, 4);
  t.is(z.cols, 3);
  for (const j of [0, 2]) {
    const column = [0, 1, 2, 3].map((i) => z.data[i * 3 + j]);
    const mean = column.reduce((a, b) => a + b, 0) / 4;
    const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    t.true(Math.abs(mean) < 1e-15 && Math.abs(variance - 1) < 1e-14, `column ${j}: mean ${mean}, variance ${variance}`);
  }
  t.deepEqual([0, 1, 2, 3].map((i) => z.data[i * 3 + 1]), [0, 0, 0, 0]);
  for (let p = 0; p < X.data.length; p++) {
    const j = p % 3;
    t.true(Math.abs(z.data[p] * s.std[j] + s.mean[j] - X.data[p]) < 1e-14, `round trip at ${p}`);
  }
});

test('a constant column whose rounded mean is off by an ulp still maps to 0, not ±1', (t) => {
  // 0.1 summed 10 times is 0.9999999999999999, so μ ≠ 0.1 and the raw σ is about 1e-17.
  const x = featureMatrix(new Array<number>(10).fill(0.1), 10, 1);
  const s = fitStandardizer(x);
  t.not(s.mean[0], 0.1, 'this example does exercise the rounding');
  t.is(s.std[0], 1);
  const z = applyStandardizer(s, x);
  t.true(z.data.every((v) => Math.abs(v) < 1e-15), `values ${Array.from(z.data).join(', ')}`);
});

test('applyStandardizer uses the fitted statistics on other rows and checks the width', (t) => {
  const s = fitStandardizer(X);
  const other = applyStandardizer(s, featureMatrix([2.5, 11, Math.sqrt(3.5)], 1, 3));
  t.true(Math.abs(other.data[0]) < 1e-15);
  t.is(other.data[1], 1);
  t.true(Math.abs(other.data[2] - 1) < 1e-15);
  t.throws(() => applyStandardizer(s, featureMatrix([1, 2], 1, 2)), { message: /3 columns, matrix has 2/ });
  t.throws(() => fitStandardizer(featureMatrix([], 0, 3)), { message: /at least one row/ });
});
