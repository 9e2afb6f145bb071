import test from 'ava';
import { featureMatrix, type FeatureMatrix } from '../../src/metrics/feature-matrix.js';
import { clustersToLabels, kMeans, matchClustersToClasses, solveAssignment } from '../../src/classify/kmeans.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** 4 blobs of 25 rows, σ = 0.5, centres 20 apart in 3-D, rows interleaved (row i is blob i mod 4). */
function fourBlobs(): { x: FeatureMatrix; y: Int32Array } {
  const centres = [[10, 0, 0], [-10, 0, 0], [0, 10, 0], [0, 0, -10]];
  const rng = new Rng(5);
  const y = new Int32Array(100);
  const data: number[] = [];
  for (let i = 0; i < 100; i++) {
    y[i] = i % 4;
    for (const c of centres[y[i]]) data.push(c + 0.5 * gaussian(rng));
  }
  return { x: featureMatrix(data, 100, 3), y };
}

function inertia(x: FeatureMatrix, clusters: Int32Array, centroids: FeatureMatrix): number {
  let sum = 0;
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) sum += (x.data[i * x.cols + j] - centroids.data[clusters[i] * x.cols + j]) ** 2;
  }
  return sum;
}

test('kMeans recovers well-separated blobs exactly; centroids are the blob means', (t) => {
  const { x, y } = fourBlobs();
  const result = kMeans(x, 4, { seed: 1 });
  t.true(result.converged);
  // A bijection class ↔ cluster: every class in one cluster, no two classes sharing one.
  const clusterOfClass = [0, 1, 2, 3].map((k) => result.clusters[k]);
  t.is(new Set(clusterOfClass).size, 4);
  for (let i = 0; i < 100; i++) t.is(result.clusters[i], clusterOfClass[y[i]], `row ${i}`);
  for (let k = 0; k < 4; k++) {
    for (let j = 0; j < 3; j++) {
      let mean = 0;
      for (let i = k; i < 100; i += 4) mean += x.data[i * 3 + j] / 25;
      t.true(Math.abs(result.centroids.data[clusterOfClass[k] * 3 + j] - mean) < 1e-12);
    }
  }
  t.true(Math.abs(result.inertia - inertia(x, result.clusters, result.centroids)) < 1e-9);
  const matching = matchClustersToClasses(result.clusters, y, 4, 4);
  t.is(matching.accuracy, 1);
  t.deepEqual(Array.from(clustersToLabels(result.clusters, matching.clusterToClass)), Array.from(y));
});

test('kMeans is a function of the seed, and restarts keep the lowest inertia', (t) => {
  const rng = new Rng(17);
  const x = featureMatrix(Array.from({ length: 300 * 4 }, () => rng.next()), 300, 4);
  const a = kMeans(x, 6, { seed: 3 });
  const b = kMeans(x, 6, { seed: 3 });
  t.deepEqual(Array.from(a.clusters), Array.from(b.clusters));
  t.deepEqual(Array.from(a.centroids.data), Array.from(b.centroids.data));
  // The first restart uses the same draw as a single run, so more restarts can only lower inertia.
  const several = kMeans(x, 6, { seed: 3, restarts: 8 });
  t.true(several.inertia <= a.inertia);
  const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((s) => kMeans(x, 6, { seed: s }).inertia);
  t.true(new Set(runs).size > 1, 'different seeds do reach different local optima on uniform data');
  t.throws(() => kMeans(x, 301, { seed: 1 }), { instanceOf: UserError, message: /300 rows cannot form 301 clusters/ });
  t.throws(() => kMeans(x, 2, { seed: 1, maxIterations: 0 }), { instanceOf: UserError, message: /maxIterations/ });
});

test('solveAssignment on a known matrix (scipy linear_sum_assignment docs example)', (t) => {
  // scipy.optimize.linear_sum_assignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]) → cols [1, 0, 2], cost 5.
  t.deepEqual(solveAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]), [1, 0, 2]);
  t.deepEqual(solveAssignment([]), []);
  t.deepEqual(solveAssignment([[3, 1, 2]]), [1]);
});

function permutations(items: number[], size: number): number[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)], size - 1).map((rest) => [item, ...rest]));
}

test('solveAssignment matches brute force on random square and rectangular matrices', (t) => {
  const rng = new Rng(2024);
  for (const [rows, cols] of [[5, 5], [6, 6], [3, 6], [4, 7], [6, 6]]) {
    const cost = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(100 * rng.next()) - 30));
    const assignment = solveAssignment(cost);
    t.is(new Set(assignment).size, rows, 'distinct columns');
    const total = assignment.reduce((sum, c, r) => sum + cost[r][c], 0);
    const columns = Array.from({ length: cols }, (_, c) => c);
    const best = Math.min(...permutations(columns, rows).map((p) => p.reduce((sum, c, r) => sum + cost[r][c], 0)));
    t.is(total, best, `${rows}×${cols}`);
  }
  t.throws(() => solveAssignment([[1], [2]]), { message: /2 rows need at least as many columns/ });
});

/** Cluster and label arrays holding counts[c][y] rows of (cluster c, class y), then `extra` rows. */
function rowsFromCounts(counts: number[][], extra: [number, number][] = []): { clusters: number[]; labels: number[] } {
  const clusters: number[] = [];
  const labels: number[] = [];
  counts.forEach((r, c) => r.forEach((count, y) => {
    for (let i = 0; i < count; i++) {
      clusters.push(c);
      labels.push(y);
    }
  }));
  for (const [c, y] of extra) {
    clusters.push(c);
    labels.push(y);
  }
  return { clusters, labels };
}

test('matchClustersToClasses maximises total agreement where greedy matching does not', (t) => {
  // Greedy takes the largest cell (c0, y0) = 7 and ends at 7 + 0 + 5 = 12; the optimum is
  // c0 → 1, c1 → 0, c2 → 2 with 6 + 6 + 5 = 17 of 26 labelled rows. Unlabelled rows are ignored.
  const counts = [[7, 6, 0], [6, 0, 1], [0, 1, 5]];
  const { clusters, labels } = rowsFromCounts(counts, [[0, -1], [1, -1], [1, -1]]);
  const matching = matchClustersToClasses(clusters, labels, 3, 3);
  t.deepEqual(matching.clusterToClass, [1, 0, 2]);
  t.is(matching.agreement, 17);
  t.is(matching.labelled, 26);
  t.is(matching.accuracy, 17 / 26);
  t.deepEqual(matching.counts, counts);
});

test('with more clusters than classes the surplus clusters take their majority class', (t) => {
  // c0, c1 are matched one-to-one; c2 (3 of class 0, 1 of class 1) → 0; c3 has no labelled row → 0.
  const { clusters, labels } = rowsFromCounts([[5, 0], [0, 4], [3, 1], [0, 0]], [[3, -1]]);
  const matching = matchClustersToClasses(clusters, labels, 4, 2);
  t.deepEqual(matching.clusterToClass, [0, 1, 0, 0]);
  t.is(matching.agreement, 12);
  t.is(matching.labelled, 13);
  t.throws(() => matchClustersToClasses([0, 5], [0, 1], 2, 2), { message: /cluster 5 at row 1/ });
  t.throws(() => matchClustersToClasses([0, 1], [0, 2], 2, 2), { message: /label 2 at row 1/ });
});
