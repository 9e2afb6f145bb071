import test from 'ava';
import { featureMatrix, type FeatureMatrix } from '../../src/metrics/feature-matrix.js';
import {
  checkFeatures,
  covarianceMatrix,
  gaussianStats,
  gaussianStatsFromJson,
  gaussianStatsToJson,
  meanVector,
} from '../../src/metrics/stats.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

test('gaussianStats: mean and unbiased covariance of a hand example', (t) => {
  // Rows [1, 2], [3, 6], [5, 4]: mean [3, 4]; centred rows [−2, −2], [0, 2], [2, 0];
  // Σ = Xcᵀ Xc / (3 − 1) = [[8, 4], [4, 8]] / 2 = [[4, 2], [2, 4]].
  const stats = gaussianStats(featureMatrix([1, 2, 3, 6, 5, 4], 3, 2));
  t.deepEqual(Array.from(stats.mean), [3, 4]);
  t.deepEqual(Array.from(stats.covariance), [4, 2, 2, 4]);
  t.is(stats.dim, 2);
  t.is(stats.count, 3);
});

test('covarianceMatrix is two-pass: an offset of 1e8 leaves it exact', (t) => {
  // The same rows plus 1e8 (exactly representable): a one-pass E[x²] − E[x]² would lose every digit.
  const shifted = featureMatrix([1, 2, 3, 6, 5, 4].map((v) => v + 1e8), 3, 2);
  t.deepEqual(Array.from(covarianceMatrix(shifted)), [4, 2, 2, 4]);
  t.deepEqual(Array.from(meanVector(shifted)), [1e8 + 3, 1e8 + 4]);
});

test('covarianceMatrix over several row chunks and an odd dimension matches the textbook double sum', (t) => {
  // 300 rows (three chunks of ≤ 128) × 5 columns (odd, so the 2×2 inner loop has tails).
  const rng = new Rng(3);
  const rows = 300;
  const cols = 5;
  const data = Float64Array.from({ length: rows * cols }, (_, i) => rng.next() * 4 - 2 + (i % cols));
  const x = featureMatrix(data, rows, cols);
  const cov = covarianceMatrix(x);
  const mean = meanVector(x);
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += (data[i * cols + a] - mean[a]) * (data[i * cols + b] - mean[b]);
      const expected = s / (rows - 1);
      t.true(Math.abs(cov[a * cols + b] - expected) < 1e-13, `Σ[${a}, ${b}] = ${cov[a * cols + b]} vs ${expected}`);
    }
  }
});

test('GaussianStats survive a JSON round trip bit for bit', (t) => {
  const rng = new Rng(5);
  const x: FeatureMatrix = featureMatrix(Float64Array.from({ length: 40 }, () => rng.next() / 3), 10, 4);
  const stats = gaussianStats(x);
  const back = gaussianStatsFromJson(JSON.parse(JSON.stringify(gaussianStatsToJson(stats))));
  t.deepEqual(back.mean, stats.mean);
  t.deepEqual(back.covariance, stats.covariance);
  t.is(back.dim, 4);
  t.is(back.count, 10);
});

test('gaussianStatsFromJson rejects malformed statistics, naming the source', (t) => {
  const good = { dim: 2, count: 3, mean: [3, 4], covariance: [4, 2, 2, 4] };
  t.notThrows(() => gaussianStatsFromJson(good, 'ref.json'));
  t.throws(() => gaussianStatsFromJson([], 'ref.json'), { instanceOf: UserError, message: /ref\.json: not a JSON object/ });
  t.throws(() => gaussianStatsFromJson({ ...good, covariance: [4, 2, 2] }, 'ref.json'), {
    instanceOf: UserError,
    message: /ref\.json: covariance has 3 entries, want 2² = 4/,
  });
  t.throws(() => gaussianStatsFromJson({ ...good, mean: [3, null] }, 'ref.json'), {
    instanceOf: UserError,
    message: /ref\.json: "mean"\[1\] is not a finite number/,
  });
  t.throws(() => gaussianStatsFromJson({ ...good, count: 1 }, 'ref.json'), { instanceOf: UserError, message: /at least 2 rows/ });
});

test('gaussianStats rejects one row, non-finite values and a malformed matrix', (t) => {
  t.throws(() => gaussianStats(featureMatrix([1, 2], 1, 2), 'real'), {
    instanceOf: UserError,
    message: 'real: need at least 2 rows (images), got 1',
  });
  t.throws(() => gaussianStats(featureMatrix([1, 2, NaN, 4], 2, 2), 'real'), {
    instanceOf: UserError,
    message: 'real: non-finite value NaN at row 1, column 0',
  });
  t.throws(() => checkFeatures({ rows: 2, cols: 2, data: new Float64Array(3) }, 'fake', 2), {
    instanceOf: UserError,
    message: 'fake: 3 values do not form a [2, 2] matrix',
  });
});
