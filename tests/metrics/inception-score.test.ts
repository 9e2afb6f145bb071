import test from 'ava';
import { featureMatrix } from '../../src/metrics/feature-matrix.js';
import { DEFAULT_IS_SPLITS, inceptionScore, inceptionScoreFromLogits, softmaxRows } from '../../src/metrics/inception-score.js';
import { UserError } from '../../src/util/errors.js';

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, tolerance: number, what: string): void {
  t.true(Math.abs(actual - expected) < tolerance, `${what}: ${actual} vs ${expected}`);
}

// Six predictions over 3 classes; the expected values come from the original protocol
// (get_inception_score in openai/improved-gan) run in numpy 1.24:
//   for i in range(splits):
//       part = preds[i*N//splits:(i+1)*N//splits]
//       kl = part * (np.log(part) - np.log(part.mean(0, keepdims=True)))
//       scores.append(np.exp(kl.sum(1).mean()))
//   np.mean(scores), np.std(scores)
// splits=1 → (1.286505555001801, 0); splits=2 → (1.2582573298562885, 0.07569777957388346);
// splits=3 → (1.198751366271927, 0.08843606398951832).
const PROBABILITIES = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6, 0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0.9, 0.05, 0.05];

test('IS of a uniform classifier is 1', (t) => {
  const uniform = featureMatrix(new Float64Array(50 * 5).fill(0.2), 50, 5);
  const result = inceptionScore(uniform);
  close(t, result.mean, 1, 1e-12, 'mean');
  close(t, result.std, 0, 1e-12, 'std');
  t.is(result.splits, DEFAULT_IS_SPLITS);
  t.is(DEFAULT_IS_SPLITS, 10);
});

test('IS of a confident one-hot classifier over K equally used classes is K', (t) => {
  // 40 rows, row i is one-hot on class i mod 4: each of the 10 splits of 4 rows uses every class
  // once, so p(y) is uniform, KL(p(y|x) || p(y)) = ln 4 for every row, and IS = 4 exactly.
  const data = new Float64Array(40 * 4);
  for (let i = 0; i < 40; i++) data[i * 4 + (i % 4)] = 1;
  const result = inceptionScore(featureMatrix(data, 40, 4));
  close(t, result.mean, 4, 1e-12, 'mean');
  close(t, result.std, 0, 1e-12, 'std');
});

test('IS of two mirrored predictions, by hand', (t) => {
  // p(y|x) = [0.9, 0.1] and [0.1, 0.9], p(y) = [0.5, 0.5]: each KL = 0.9 ln 1.8 + 0.1 ln 0.2
  // = 0.529008 − 0.160944 = 0.368064, IS = e^0.368064 = 1.444935 (numpy: 1.4449348111684155).
  const result = inceptionScore(featureMatrix([0.9, 0.1, 0.1, 0.9], 2, 2), { splits: 1 });
  close(t, result.mean, 1.4449348111684155, 1e-12, 'mean');
});

test('IS over 1, 2 and 3 contiguous splits matches the original protocol in numpy', (t) => {
  const p = featureMatrix(PROBABILITIES, 6, 3);
  const expected: [number, number, number][] = [
    [1, 1.286505555001801, 0],
    [2, 1.2582573298562885, 0.07569777957388346],
    [3, 1.198751366271927, 0.08843606398951832],
  ];
  for (const [splits, mean, std] of expected) {
    const result = inceptionScore(p, { splits });
    close(t, result.mean, mean, 1e-12, `mean, ${splits} splits`);
    close(t, result.std, std, 1e-12, `std, ${splits} splits`);
    t.is(result.splits, splits);
  }
});

test('inceptionScoreFromLogits: a stable softmax of ln p plus any row offset gives the same IS', (t) => {
  // Offsets of +1000 and −1000 overflow and underflow exp() unless each row is shifted by its max.
  const logits = PROBABILITIES.map((p, i) => Math.log(p) + (Math.floor(i / 3) % 2 === 0 ? 1000 : -1000));
  const result = inceptionScoreFromLogits(featureMatrix(logits, 6, 3), { splits: 2 });
  close(t, result.mean, 1.2582573298562885, 1e-12, 'mean');
  close(t, result.std, 0.07569777957388346, 1e-12, 'std');
  const softmax = softmaxRows(featureMatrix([0, Math.log(3)], 1, 2));
  close(t, softmax.data[0], 0.25, 1e-15, 'softmax([0, ln 3])[0]');
  close(t, softmax.data[1], 0.75, 1e-15, 'softmax([0, ln 3])[1]');
});

test('inceptionScore rejects logits, negative values and more splits than rows', (t) => {
  t.throws(() => inceptionScore(featureMatrix([2, 1, 0.5, 0.5], 2, 2), { splits: 1 }), {
    instanceOf: UserError,
    message: 'inceptionScore: row 0 sums to 3, not 1; pass logits to inceptionScoreFromLogits',
  });
  t.throws(() => inceptionScore(featureMatrix([1.5, -0.5, 0.5, 0.5], 2, 2), { splits: 1 }), {
    instanceOf: UserError,
    message: /row 0 has a negative probability -0\.5/,
  });
  t.throws(() => inceptionScore(featureMatrix(PROBABILITIES, 6, 3)), {
    instanceOf: UserError,
    message: 'inceptionScore: splits must be an integer in [1, 6] (the rows), got 10',
  });
});
