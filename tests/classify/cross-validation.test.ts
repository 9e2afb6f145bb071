import test from 'ava';
import { featureMatrix, type FeatureMatrix } from '../../src/metrics/feature-matrix.js';
import { crossValidate, selectBlock, stratifiedFolds } from '../../src/classify/cross-validation.js';
import { fitLogisticRegression, predictLabels } from '../../src/classify/logistic-regression.js';
import { applyStandardizer, fitStandardizer } from '../../src/classify/standardize.js';
import { selectRows } from '../../src/metrics/feature-matrix.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

/** Standard normal by Box–Muller. */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * A noisy, imbalanced toy problem: classes of 60, 30, 30 rows in d dimensions of N(0, 1) noise;
 * class k ≥ 1 is shifted by `signal` along dimensions 2k − 2 and 2k − 1, the rest is noise.
 * Too small a λ overfits the noise dimensions; too large a λ leaves only the bias, which predicts
 * the majority class (accuracy 0.5).
 */
function noisyProblem(d: number, signal: number, seed: number): { x: FeatureMatrix; y: Int32Array } {
  const rng = new Rng(seed);
  const counts = [60, 30, 30];
  const y = new Int32Array(counts.reduce((a, b) => a + b, 0));
  const data = new Float64Array(y.length * d);
  let i = 0;
  counts.forEach((count, k) => {
    for (let r = 0; r < count; r++, i++) {
      y[i] = k;
      for (let j = 0; j < d; j++) data[i * d + j] = gaussian(rng);
      if (k > 0) {
        data[i * d + 2 * k - 2] += signal;
        data[i * d + 2 * k - 1] += signal;
      }
    }
  });
  return { x: featureMatrix(data, y.length, d), y };
}

// 23 labelled rows: class 0 × 10, class 1 × 7, class 2 × 3 (fewer than the 5 folds), class 4 × 3
// (class 3 absent), and four UNLABELLED rows that must not appear in any fold.
const LABELS = [0, 1, 0, -1, 2, 0, 1, 4, 0, 1, 0, 2, 0, 1, -1, 0, 1, 4, 0, 1, 2, 0, -1, 1, 4, 0, -1];

test('stratifiedFolds: disjoint, cover every labelled row once, spread each class evenly', (t) => {
  const folds = stratifiedFolds(LABELS, 5, 42);
  t.is(folds.length, 5);
  const seen = folds.flat().sort((a, b) => a - b);
  const labelled = LABELS.flatMap((label, i) => (label === -1 ? [] : [i]));
  t.deepEqual(seen, labelled, 'each labelled index exactly once, no unlabelled index');
  for (const fold of folds) t.deepEqual(fold, [...fold].sort((a, b) => a - b), 'sorted ascending');
  const sizes = folds.map((fold) => fold.length);
  t.true(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes.join(', ')}`);
  t.true(Math.min(...sizes) >= 1);
  for (const label of [0, 1, 2, 4]) {
    const perFold = folds.map((fold) => fold.filter((i) => LABELS[i] === label).length);
    t.true(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${label} per fold: ${perFold.join(', ')}`);
  }
});

test('stratifiedFolds is a function of the seed', (t) => {
  t.deepEqual(stratifiedFolds(LABELS, 5, 42), stratifiedFolds(LABELS, 5, 42));
  t.notDeepEqual(stratifiedFolds(LABELS, 5, 42), stratifiedFolds(LABELS, 5, 43));
});

test('stratifiedFolds needs at least one labelled row per fold', (t) => {
  t.throws(() => stratifiedFolds([0, 1, -1, 1], 4, 1), { instanceOf: UserError, message: /3 labelled images cannot fill 4 folds/ });
  t.throws(() => stratifiedFolds([0, 1, 0], 1, 1), { instanceOf: UserError, message: /folds must be an integer >= 2/ });
  // Exactly as many rows as folds: one row each, even with a class of one row.
  t.deepEqual(stratifiedFolds([1, 0, 0], 3, 5).map((fold) => fold.length), [1, 1, 1]);
});

test('crossValidate picks an intermediate λ on a noisy problem: not the overfitting nor the majority one', (t) => {
  const { x, y } = noisyProblem(60, 2.5, 11);
  const l2Strengths = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100];
  const result = crossValidate(x, y, 3, { folds: 5, l2Strengths, seed: 1 });
  t.deepEqual(result.accuracyByL2.map((s) => s.l2), l2Strengths);
  const means = result.accuracyByL2.map((s) => s.mean);
  const best = means.indexOf(Math.max(...means));
  t.is(result.bestL2, l2Strengths[best]);
  t.true(best > 0 && best < l2Strengths.length - 1, `best λ ${result.bestL2}, means ${means.join(', ')}`);
  t.true(means[best] >= means[0] + 0.05, 'clearly better than the least regularised fit');
  t.is(means[means.length - 1], 0.5, 'λ = 100 predicts the majority class (60 of 120) in every fold');
  t.is(result.accuracyByL2[result.accuracyByL2.length - 1].std, 0);
  for (const s of result.accuracyByL2) t.true(s.std >= 0 && s.mean >= 0 && s.mean <= 1);
});

test('crossValidate standardizes each fold, so rescaling or shifting columns changes nothing', (t) => {
  const { x, y } = noisyProblem(12, 2.5, 5);
  const rng = new Rng(99);
  const scales = Array.from({ length: x.cols }, () => 10 ** (6 * rng.next() - 3));
  const offsets = Array.from({ length: x.cols }, () => 100 * gaussian(rng));
  const warped = featureMatrix(
    x.data.map((v, p) => v * scales[p % x.cols] + offsets[p % x.cols]),
    x.rows,
    x.cols,
  );
  const options = { folds: 4, l2Strengths: [1e-3, 1e-1, 10], seed: 2 };
  const plain = crossValidate(x, y, 3, options);
  const rescaled = crossValidate(warped, y, 3, options);
  t.is(rescaled.bestL2, plain.bestL2);
  for (let i = 0; i < 3; i++) {
    t.true(Math.abs(rescaled.accuracyByL2[i].mean - plain.accuracyByL2[i].mean) < 1e-12, `λ index ${i}`);
  }
});

test('crossValidate fits μ, σ on the training rows of each fold only (no held-out leakage)', (t) => {
  // One informative column (class ± 1 plus noise) with a 1e6 outlier in row 0: a standardizer fitted
  // on all rows would squash this column in the fold that holds row 0 out, and change its score.
  const rng = new Rng(4);
  const y = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  const data = Array.from({ length: 40 }, (_, i) => [(y[i] === 1 ? 1 : -1) + 0.5 * gaussian(rng), gaussian(rng)]).flat();
  data[0] = 1e6;
  const x = featureMatrix(data, 40, 2);
  const options = { folds: 4, l2Strengths: [1e-2], seed: 6 };
  const accuracies = stratifiedFolds(y, options.folds, options.seed).map((heldOut) => {
    const train = Array.from({ length: 40 }, (_, i) => i).filter((i) => !heldOut.includes(i));
    const standardizer = fitStandardizer(selectRows(x, train));
    const model = fitLogisticRegression(applyStandardizer(standardizer, selectRows(x, train)), train.map((i) => y[i]), 2, { l2: 1e-2 });
    const predicted = predictLabels(model, applyStandardizer(standardizer, selectRows(x, heldOut)));
    return heldOut.filter((i, r) => predicted[r] === y[i]).length / heldOut.length;
  });
  const expected = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
  t.is(crossValidate(x, y, 2, options).accuracyByL2[0].mean, expected, `per fold ${accuracies.join(', ')}`);
});

test('crossValidate breaks ties towards the larger λ and rejects bad input', (t) => {
  const { x, y } = noisyProblem(4, 6, 3);
  // Well separated: λ = 1e-3 and 1e-2 both classify every held-out row.
  const result = crossValidate(x, y, 3, { folds: 3, l2Strengths: [1e-2, 1e-3], seed: 0 });
  t.deepEqual(result.accuracyByL2.map((s) => s.mean), [1, 1]);
  t.is(result.bestL2, 1e-2);
  t.throws(() => crossValidate(x, y, 3, { folds: 3, l2Strengths: [], seed: 0 }), { instanceOf: UserError, message: /at least one value/ });
  t.throws(() => crossValidate(x, y, 3, { folds: 3, l2Strengths: [-1], seed: 0 }), { instanceOf: UserError, message: />= 0/ });
  const withUnlabelled = Int32Array.from(y);
  withUnlabelled[7] = -1;
  t.throws(() => crossValidate(x, withUnlabelled, 3, { folds: 3, l2Strengths: [1], seed: 0 }), { message: /row 7 is unlabelled/ });
});

test('selectBlock picks the informative block, ties → the earliest', (t) => {
  const informative = noisyProblem(6, 4, 21);
  const noise = noisyProblem(6, 0, 22);
  const candidates = [noise.x, informative.x, informative.x];
  const reports: [number, number][] = [];
  const selection = selectBlock(candidates, informative.y, 3, { folds: 4, l2Strengths: [1e-2, 1], seed: 8 }, (done, total) => reports.push([done, total]));
  t.deepEqual(reports, [[0, 3], [1, 3], [2, 3], [3, 3]], 'progress before the first candidate and after each');
  t.is(selection.bestBlock, 1);
  t.deepEqual(selection.scores.map((s) => s.block), [0, 1, 2]);
  t.is(selection.scores[1].bestAccuracy, selection.scores[2].bestAccuracy, 'identical blocks score identically');
  t.true(selection.scores[1].bestAccuracy > selection.scores[0].bestAccuracy + 0.2, JSON.stringify(selection.scores.map((s) => s.bestAccuracy)));
  for (const score of selection.scores) {
    t.is(score.bestAccuracy, score.accuracyByL2.find((s) => s.l2 === score.bestL2)?.mean ?? Number.NaN);
  }
  t.throws(() => selectBlock([], informative.y, 3, { folds: 4, l2Strengths: [1], seed: 8 }), { instanceOf: UserError });
});
