import test from 'ava';
import { featureMatrix, type FeatureMatrix } from '../../src/metrics/feature-matrix.js';
import { classGaussianStats, intraFid, intraFidFromStats } from '../../src/metrics/intra-fid.js';
import { UserError } from '../../src/util/errors.js';

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, tolerance: number, what: string): void {
  t.true(Math.abs(actual - expected) < tolerance, `${what}: ${actual} vs ${expected}`);
}

/**
 * 8 rows of mean[j] + scale[j] · hⱼ, hⱼ the columns 1, 2, 4 of the 8 × 8 Sylvester–Hadamard matrix
 * (zero-sum and orthogonal): sample mean `mean`, unbiased covariance diag(scale²) · 8/7 exactly.
 */
function hadamardRows(mean: readonly number[], scale: readonly number[]): number[][] {
  const h = [
    [1, -1, 1, -1, 1, -1, 1, -1],
    [1, 1, -1, -1, 1, 1, -1, -1],
    [1, 1, 1, 1, -1, -1, -1, -1],
  ];
  return Array.from({ length: 8 }, (_, i) => [0, 1, 2].map((j) => mean[j] + scale[j] * h[j][i]));
}

/** Interleaves the rows of each class (class c at rows c, c + classes, …) with their labels. */
function interleave(perClass: number[][][]): { features: FeatureMatrix; labels: number[] } {
  const data: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < perClass[0].length; i++) {
    perClass.forEach((rows, c) => {
      data.push(...rows[i]);
      labels.push(c);
    });
  }
  return { features: featureMatrix(data, labels.length, 3), labels };
}

// Class 0: real mean (1, 2, 3), scales (1, 2, 3); fake mean (0, 2, 5), scales (2, 2, 1):
//   FID = ||μr − μf||² + 8/7 · Σ (sⱼ − tⱼ)² = 5 + 8/7 · 5 = 75/7.
// Class 1: real mean 0, scales 1; fake mean (1, 1, 1), scales 1: FID = 3 + 0 = 3.
// Mean over the classes: (75/7 + 3) / 2 = 48/7 = 6.857142857…
const REAL = interleave([hadamardRows([1, 2, 3], [1, 2, 3]), hadamardRows([0, 0, 0], [1, 1, 1])]);
const FAKE = interleave([hadamardRows([0, 2, 5], [2, 2, 1]), hadamardRows([1, 1, 1], [1, 1, 1])]);

test('intraFid is the FID of each class and their mean', (t) => {
  const result = intraFid(REAL.features, REAL.labels, FAKE.features, FAKE.labels, 2);
  t.is(result.perClass.length, 2);
  close(t, result.perClass[0], 75 / 7, 1e-12, 'class 0');
  close(t, result.perClass[1], 3, 1e-12, 'class 1');
  close(t, result.mean, 48 / 7, 1e-12, 'mean');
});

test('intraFidFromStats on cached per-class statistics gives the same result', (t) => {
  const real = classGaussianStats(REAL.features, REAL.labels, 2, 'real');
  const fake = classGaussianStats(FAKE.features, FAKE.labels, 2, 'fake');
  t.deepEqual(real.map((s) => s.count), [8, 8]);
  t.deepEqual(Array.from(real[0].mean), [1, 2, 3]);
  close(t, intraFidFromStats(real, fake).mean, 48 / 7, 1e-12, 'mean');
});

test('intraFid names a class with fewer than 2 rows on either side', (t) => {
  // A third class that only one fake row was generated for (and no real row at all).
  const fakeData = featureMatrix([...FAKE.features.data, 0, 0, 0], FAKE.features.rows + 1, 3);
  t.throws(() => intraFid(REAL.features, REAL.labels, fakeData, [...FAKE.labels, 2], 3), {
    instanceOf: UserError,
    message: 'intraFid: class 2 has 0 real row(s); each class needs at least 2',
  });
  const realOne = featureMatrix([...REAL.features.data, 0, 0, 0], REAL.features.rows + 1, 3);
  const realTwo = featureMatrix([...REAL.features.data, 0, 0, 0, 1, 1, 1], REAL.features.rows + 2, 3);
  t.throws(() => intraFid(realTwo, [...REAL.labels, 2, 2], fakeData, [...FAKE.labels, 2], 3), {
    instanceOf: UserError,
    message: 'intraFid: class 2 has 1 fake row(s); each class needs at least 2',
  });
  t.throws(() => intraFid(realOne, [...REAL.labels, 5], FAKE.features, FAKE.labels, 2), {
    instanceOf: UserError,
    message: 'intraFid: real: label 5 of row 16 is not a class in [0, 2)',
  });
  t.throws(() => intraFid(REAL.features, REAL.labels.slice(1), FAKE.features, FAKE.labels, 2), {
    instanceOf: UserError,
    message: 'intraFid: real: 15 labels for 16 feature rows',
  });
  t.throws(() => intraFid(REAL.features, REAL.labels, featureMatrix(new Float64Array(32), 16, 2), FAKE.labels, 2), {
    instanceOf: UserError,
    message: 'intraFid: feature dimensions differ (real 3 vs fake 2)',
  });
});
