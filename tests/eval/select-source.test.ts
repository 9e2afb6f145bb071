/**
 * select-source's scores: recall and precision with k = 5 against hand-computed values on 2-D
 * points, and the ranking of a source whose samples cover the target above one whose samples do not.
 */
import test from 'ava';
import { featureMatrix } from '../../src/metrics/feature-matrix.js';
import { rankByRecall, scoreAgainstTarget, SELECT_SOURCE_K } from '../../src/eval/select-source.js';
import { normalSamples } from '../../src/training/gan/noise.js';
import { Rng } from '../../src/util/rng.js';

const points = (xy: [number, number][]) => featureMatrix(xy.flat(), xy.length, 2);

test('recall and precision with k = 5 on 2-D points match the hand computation', (t) => {
  // Generated: a 2×3 grid of spacing 1. The 5th-nearest other point of a corner is the far corner of
  // the other row, √5 ≈ 2.236 away; of a middle point, a diagonal neighbour, √2 ≈ 1.414 away.
  const generated = points([[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1]]);
  // Target: a 2×3 grid of spacing 2 to the right: radii 2√5 ≈ 4.472 (corners) and 2√2 ≈ 2.828 (middles).
  const target = points([[3, 0], [5, 0], [7, 0], [3, 2], [5, 2], [7, 2]]);
  const score = scoreAgainstTarget(target, generated, 0);
  t.is(SELECT_SOURCE_K, 5);
  // Covered targets: (3,0) is 1 from the corner (2,0) (radius 2.236); (3,2) is √2 from the corner
  // (2,1). (5,0), (5,2) are ≥ 3 from every generated corner and ≥ 4 from the middles; (7,·) farther.
  t.is(score.recall, 2 / 6);
  // Every generated point lies within 4.472 of the target corner (3,0): at most √10 ≈ 3.162 away.
  // (With k = 3 the corner radius would be 2√2 and (0,0), (0,1) would fall outside: 4/6.)
  t.is(score.precision, 1);
});

function cluster(rng: Rng, n: number, centre: [number, number]): [number, number][] {
  const noise = normalSamples(rng, 2 * n);
  return Array.from({ length: n }, (_, i) => [centre[0] + noise[2 * i], centre[1] + noise[2 * i + 1]] as [number, number]);
}

test('a source whose samples cover the target ranks above one whose samples do not, whatever the order given', (t) => {
  const rng = new Rng(3);
  const target = points(cluster(rng, 200, [0, 0]));
  const covering = { candidate: 'covering', ...scoreAgainstTarget(target, points(cluster(rng, 200, [0, 0])), 0) };
  const elsewhere = { candidate: 'elsewhere', ...scoreAgainstTarget(target, points(cluster(rng, 200, [8, 8])), 0) };
  t.true(covering.recall > 0.8, `covering recall ${covering.recall}`);
  t.is(elsewhere.recall, 0);
  t.true(covering.fid < elsewhere.fid && covering.kid < elsewhere.kid);
  t.deepEqual(rankByRecall([elsewhere, covering]).map((s) => s.candidate), ['covering', 'elsewhere']);
  t.deepEqual(rankByRecall([covering, elsewhere]).map((s) => s.candidate), ['covering', 'elsewhere']);
});
