import test from 'ava';
import { featureMatrix, type FeatureMatrix } from '../../src/metrics/feature-matrix.js';
import {
  densityCoverage,
  kNearestNeighbourDistances,
  manifoldMetrics,
  precisionRecall,
} from '../../src/metrics/precision-recall.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, tolerance: number, what: string): void {
  t.true(Math.abs(actual - expected) < tolerance, `${what}: ${actual} vs ${expected}`);
}

// 15 real and 12 fake points in 2 dimensions (numpy normal draws rounded to 3 decimals; fake
// scaled by 0.7 and shifted by (0.9, 0.4)). Expected values from numpy 1.24 / scipy 1.10:
//   radii = lambda x, k: np.sort(cdist(x, x), axis=1)[:, k]       # column 0 is the point itself
//   drf = cdist(R, F); rr, ff, rd = radii(R, kpr), radii(F, kpr), radii(R, kdc)
//   precision = (drf <= rr[:, None]).any(axis=0).mean()
//   recall    = (drf <= ff[None, :]).any(axis=1).mean()
//   density   = (drf <= rd[:, None]).sum() / (kdc * len(F))
//   coverage  = (drf.min(axis=1) <= rd).mean()
// kpr = 3, kdc = 5 → 0.5, 0.9333333333333333, 0.5333333333333333, 1.0
// kpr = kdc = 2    → 0.3333333333333333, 0.9333333333333333, 0.375, 0.5333333333333333
// No distance lies within 2.8e-4 of a radius, so the ≤ tests are not decided by rounding.
const REAL = featureMatrix(
  [
    -0.059, -0.845, 0.392, -2.501, -0.05, -0.33, -0.519, 2.32, -2.474, -0.022, 0.069, 0.467, -1.602, -0.467, -1.495, -0.128, 0.196,
    0.164, -0.198, 0.186, 0.177, 0.405, 0.025, -1.783, -0.815, 0.346, -0.91, -0.798, 0.113, -0.046,
  ],
  15,
  2,
);
const FAKE = featureMatrix(
  [
    1.526, 0.758, 0.595, 0.48, -1.101, -0.158, 0.797, -1.271, 0.674, 0.576, 1.624, 0.682, 2.219, 1.47, -0.244, 0.242, 0.791, 0.464,
    0.499, 0.827, 1.422, -0.667, 1.562, -0.053,
  ],
  12,
  2,
);

test('kNearestNeighbourDistances excludes the point itself but counts duplicates', (t) => {
  // 1-D points 0, 0, 1, 3: other-point distances are {0, 1, 3}, {0, 1, 3}, {1, 1, 2}, {3, 3, 2}.
  const points = featureMatrix([0, 0, 1, 3], 4, 1);
  t.deepEqual(Array.from(kNearestNeighbourDistances(points, 1)), [0, 0, 1, 2]);
  t.deepEqual(Array.from(kNearestNeighbourDistances(points, 2)), [1, 1, 1, 3]);
  t.deepEqual(Array.from(kNearestNeighbourDistances(points, 3)), [3, 3, 2, 3]);
});

test('kNearestNeighbourDistances of the real set matches scipy cdist', (t) => {
  // np.sort(cdist(R, R), axis=1)[:, 3] at rows 0, 1, 5, 14.
  const radii = kNearestNeighbourDistances(REAL, 3);
  close(t, radii[0], 0.8522968966269912, 1e-12, 'row 0');
  close(t, radii[1], 2.1436914423489215, 1e-12, 'row 1');
  close(t, radii[5], 0.3876209488662862, 1e-12, 'row 5');
  close(t, radii[14], 0.3880012886576538, 1e-12, 'row 14');
});

test('manifoldMetrics with the default k = 3 and k = 5 matches numpy', (t) => {
  const { precisionRecall: pr, densityCoverage: dc } = manifoldMetrics(REAL, FAKE);
  t.deepEqual(pr, { precision: 6 / 12, recall: 14 / 15, k: 3 });
  t.deepEqual(dc, { density: 32 / 60, coverage: 15 / 15, k: 5 });
});

test('precisionRecall and densityCoverage with k = 2 match numpy', (t) => {
  t.deepEqual(precisionRecall(REAL, FAKE, { k: 2 }), { precision: 4 / 12, recall: 14 / 15, k: 2 });
  t.deepEqual(densityCoverage(REAL, FAKE, { k: 2 }), { density: 9 / 24, coverage: 8 / 15, k: 2 });
  t.deepEqual(precisionRecall(REAL, FAKE), manifoldMetrics(REAL, FAKE).precisionRecall);
  t.deepEqual(densityCoverage(REAL, FAKE), manifoldMetrics(REAL, FAKE).densityCoverage);
});

/** Uniform points in [0, 1)^cols plus `shift`. */
function uniform(rng: Rng, rows: number, cols: number, shift: number): FeatureMatrix {
  return featureMatrix(
    Float64Array.from({ length: rows * cols }, () => rng.next() + shift),
    rows,
    cols,
  );
}

/** The definitions with a full distance matrix, one pair at a time. */
function bruteForce(real: FeatureMatrix, fake: FeatureMatrix, kPr: number, kDc: number) {
  const dist = (a: FeatureMatrix, i: number, b: FeatureMatrix, j: number): number => {
    let s = 0;
    for (let t = 0; t < a.cols; t++) s += (a.data[i * a.cols + t] - b.data[j * b.cols + t]) ** 2;
    return Math.sqrt(s);
  };
  const radius = (x: FeatureMatrix, i: number, k: number): number => {
    const others: number[] = [];
    for (let j = 0; j < x.rows; j++) if (j !== i) others.push(dist(x, i, x, j));
    return others.sort((p, q) => p - q)[k - 1];
  };
  const rr = Array.from({ length: real.rows }, (_, i) => radius(real, i, kPr));
  const rd = Array.from({ length: real.rows }, (_, i) => radius(real, i, kDc));
  const ff = Array.from({ length: fake.rows }, (_, i) => radius(fake, i, kPr));
  let precision = 0;
  let density = 0;
  for (let f = 0; f < fake.rows; f++) {
    let inside = false;
    for (let r = 0; r < real.rows; r++) {
      const d = dist(fake, f, real, r);
      if (d <= rr[r]) inside = true;
      if (d <= rd[r]) density++;
    }
    if (inside) precision++;
  }
  let recall = 0;
  let coverage = 0;
  for (let r = 0; r < real.rows; r++) {
    let inFake = false;
    let nearest = Infinity;
    for (let f = 0; f < fake.rows; f++) {
      const d = dist(real, r, fake, f);
      if (d <= ff[f]) inFake = true;
      nearest = Math.min(nearest, d);
    }
    if (inFake) recall++;
    if (nearest <= rd[r]) coverage++;
  }
  return {
    precision: precision / fake.rows,
    recall: recall / real.rows,
    density: density / (kDc * fake.rows),
    coverage: coverage / real.rows,
  };
}

test('blockwise distances over several blocks agree with the definitions computed pair by pair', (t) => {
  // 301 real and 290 fake points in 5 dimensions: more rows than one block (64 × 256), odd counts.
  const rng = new Rng(21);
  const real = uniform(rng, 301, 5, 0);
  const fake = uniform(rng, 290, 5, 0.15);
  const expected = bruteForce(real, fake, 3, 5);
  const { precisionRecall: pr, densityCoverage: dc } = manifoldMetrics(real, fake);
  t.deepEqual({ precision: pr.precision, recall: pr.recall, density: dc.density, coverage: dc.coverage }, expected);
  t.true(expected.precision > 0.3 && expected.precision < 1, `a non-trivial precision: ${expected.precision}`);
});

test('manifold metrics reject a dimension mismatch, a bad k and too few rows', (t) => {
  t.throws(() => precisionRecall(REAL, featureMatrix(new Float64Array(12), 4, 3)), {
    instanceOf: UserError,
    message: 'precisionRecall: feature dimensions differ (real 2 vs fake 3)',
  });
  t.throws(() => precisionRecall(REAL, featureMatrix([0, 0, 1, 1, 2, 2], 3, 2)), {
    instanceOf: UserError,
    message: 'precisionRecall: fake features: need at least 4 rows (images), got 3',
  });
  t.throws(() => densityCoverage(featureMatrix(new Float64Array(10), 5, 2), FAKE), {
    instanceOf: UserError,
    message: 'densityCoverage: real features: need at least 6 rows (images), got 5',
  });
  t.throws(() => manifoldMetrics(REAL, FAKE, { precisionRecallK: 0 }), {
    instanceOf: UserError,
    message: 'manifoldMetrics: precisionRecallK must be an integer >= 1, got 0',
  });
  t.throws(() => kNearestNeighbourDistances(featureMatrix([0, 1], 2, 1), 2), { instanceOf: UserError, message: /need at least 3 rows/ });
});
