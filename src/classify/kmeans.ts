/**
 * The unsupervised alternative of Stage 2 (docs/ALGORITHMS.md § k-means clusters): k-means on the frozen features, the
 * clusters used as labels. To report them as an accuracy, clusters are matched one-to-one to
 * classes by the assignment that maximises agreement on labelled rows (the usual "clustering
 * accuracy"), solved exactly with the Hungarian algorithm.
 */
import { kmeans as mlKmeans } from 'ml-kmeans';
import { UNLABELLED } from '../data/types.js';
import { row, type FeatureMatrix } from '../metrics/feature-matrix.js';
import { errorMessage, invariant, userCheck } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/** Stream of the project Rng that seeds ml-kmeans, apart from other users of the same seed. */
const KMEANS_RNG_STREAM = 0x6b3a;

/** Options of kMeans. */
export interface KMeansOptions {
  /** Seeds the k-means++ initialisation (ml-kmeans draws from XSadd seeded by our Rng). */
  readonly seed: number;
  /** Lloyd iterations per run at most (≥ 1). Default DEFAULT_KMEANS_OPTIONS.maxIterations. */
  readonly maxIterations?: number;
  /** A run stops when every centroid moved by a squared distance ≤ tolerance. */
  readonly tolerance?: number;
  /** Independent k-means++ runs; the one with the lowest inertia is kept (ties → the first). */
  readonly restarts?: number;
}

export const DEFAULT_KMEANS_OPTIONS = {
  maxIterations: 300,
  tolerance: 1e-8,
  restarts: 1,
} as const;

export interface KMeansClustering {
  /** Cluster id in [0, k) per row. */
  readonly clusters: Int32Array;
  /** Cluster means, [k, cols]. An empty cluster keeps its last centroid. */
  readonly centroids: FeatureMatrix;
  /** Σ_i ‖x_i − c_{cluster(i)}‖², the k-means objective. */
  readonly inertia: number;
  /** Lloyd iterations of the kept run. */
  readonly iterations: number;
  /** The kept run stopped by tolerance, not by maxIterations. */
  readonly converged: boolean;
}

/**
 * k-means (Lloyd, k-means++ initialisation of Arthur & Vassilvitskii 2007, greedy variant as in
 * scikit-learn) of the rows of `x` [n, d] into `k` clusters; deterministic for a given seed.
 */
export function kMeans(x: FeatureMatrix, k: number, options: KMeansOptions): KMeansClustering {
  const maxIterations = options.maxIterations ?? DEFAULT_KMEANS_OPTIONS.maxIterations;
  const tolerance = options.tolerance ?? DEFAULT_KMEANS_OPTIONS.tolerance;
  const restarts = options.restarts ?? DEFAULT_KMEANS_OPTIONS.restarts;
  userCheck(Number.isInteger(k) && k >= 1, `k-means: k must be an integer >= 1, got ${k}`);
  userCheck(x.rows >= k, `k-means: ${x.rows} rows cannot form ${k} clusters`);
  userCheck(Number.isInteger(maxIterations) && maxIterations >= 1, `k-means: maxIterations must be an integer >= 1, got ${maxIterations}`);
  userCheck(Number.isFinite(tolerance) && tolerance >= 0, `k-means: tolerance must be a number >= 0, got ${tolerance}`);
  userCheck(Number.isInteger(restarts) && restarts >= 1, `k-means: restarts must be an integer >= 1, got ${restarts}`);
  const points: number[][] = [];
  for (let i = 0; i < x.rows; i++) points.push(Array.from(row(x, i)));
  const rng = new Rng(options.seed, KMEANS_RNG_STREAM);

  let best: KMeansClustering | undefined;
  for (let run = 0; run < restarts; run++) {
    // ml-kmeans treats maxIterations 0 as "no limit", hence the ≥ 1 check above.
    let result;
    try {
      result = mlKmeans(points, k, { initialization: 'kmeans++', seed: rng.nextUint32(), maxIterations, tolerance });
    } catch (error) {
      // k-means++ divides by the total squared distance, 0 when all rows are equal.
      throw new Error(`k-means: ${errorMessage(error)} (are there fewer than ${k} distinct rows?)`);
    }
    const clusters = Int32Array.from(result.clusters);
    const centroids = new Float64Array(k * x.cols);
    result.centroids.forEach((centroid, c) => centroids.set(centroid, c * x.cols));
    let inertia = 0;
    for (let i = 0; i < x.rows; i++) {
      const offset = clusters[i] * x.cols;
      const xi = row(x, i);
      for (let j = 0; j < x.cols; j++) inertia += (xi[j] - centroids[offset + j]) ** 2;
    }
    if (!best || inertia < best.inertia) {
      best = {
        clusters,
        centroids: { rows: k, cols: x.cols, data: centroids },
        inertia,
        iterations: result.iterations,
        converged: result.converged,
      };
    }
  }
  return best as KMeansClustering;
}

/**
 * Minimum-cost assignment of rows to distinct columns (rows ≤ columns) by the Hungarian algorithm
 * with potentials (Kuhn 1955, Munkres 1957; the O(n²m) shortest-augmenting-path form of Jonker &
 * Volgenant). Returns the column of each row.
 */
export function solveAssignment(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  if (n === 0) return [];
  const m = cost[0].length;
  invariant(n <= m, `solveAssignment: ${n} rows need at least as many columns, got ${m}`);
  for (const r of cost) {
    invariant(r.length === m, 'solveAssignment: cost rows differ in length');
    invariant(r.every(Number.isFinite), 'solveAssignment: costs must be finite');
  }
  // 1-based as in the classical statement; column 0 is a virtual start, row p[j] owns column j.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    // Grow a shortest-path tree with reduced costs c(i, j) − u_i − v_j ≥ 0 until a free column is
    // reached, keeping the potentials dual feasible.
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    // Augment: flip the matched/unmatched edges along the path back to the virtual column.
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const assignment = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j] !== 0) assignment[p[j] - 1] = j - 1;
  return assignment;
}

export interface ClusterMatching {
  /** Class per cluster, length k. */
  readonly clusterToClass: number[];
  /** Labelled rows whose cluster maps to their class. */
  readonly agreement: number;
  /** Rows with a label other than UNLABELLED. */
  readonly labelled: number;
  /** agreement / labelled (0 when nothing is labelled). */
  readonly accuracy: number;
  /** counts[c][y]: labelled rows of class y in cluster c, [k][numClasses]. */
  readonly counts: number[][];
}

/**
 * Matches clusters to classes maximising Σ_c counts[c][class(c)] over one-to-one assignments.
 * k ≤ numClasses: each cluster gets a distinct class. k > numClasses: numClasses clusters are
 * matched one-to-one and each remaining cluster takes its majority class (ties and clusters
 * without labelled rows → the lowest class index), so every cluster still names a class.
 */
export function matchClustersToClasses(
  clusters: ArrayLike<number>,
  labels: ArrayLike<number>,
  k: number,
  numClasses: number,
): ClusterMatching {
  invariant(clusters.length === labels.length, `matchClustersToClasses: ${clusters.length} clusters for ${labels.length} labels`);
  invariant(Number.isInteger(k) && k >= 1 && Number.isInteger(numClasses) && numClasses >= 1, 'matchClustersToClasses: bad k or numClasses');
  const counts = Array.from({ length: k }, () => new Array<number>(numClasses).fill(0));
  let labelled = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = clusters[i];
    const y = labels[i];
    invariant(Number.isInteger(c) && c >= 0 && c < k, `matchClustersToClasses: cluster ${c} at row ${i} is not in [0, ${k})`);
    if (y === UNLABELLED) continue;
    invariant(Number.isInteger(y) && y >= 0 && y < numClasses, `matchClustersToClasses: label ${y} at row ${i} is not in [0, ${numClasses})`);
    counts[c][y]++;
    labelled++;
  }
  // Maximising agreement = minimising −counts; padding columns (cost 0) absorb surplus clusters.
  const size = Math.max(k, numClasses);
  const cost = counts.map((r) => [...r.map((count) => -count), ...new Array<number>(size - numClasses).fill(0)]);
  const assignment = solveAssignment(cost);
  const clusterToClass = assignment.map((column, c) => {
    if (column < numClasses) return column;
    let majority = 0;
    for (let y = 1; y < numClasses; y++) if (counts[c][y] > counts[c][majority]) majority = y;
    return majority;
  });
  let agreement = 0;
  clusterToClass.forEach((y, c) => (agreement += counts[c][y]));
  return { clusterToClass, agreement, labelled, accuracy: labelled > 0 ? agreement / labelled : 0, counts };
}

/** Class per row from cluster ids and a cluster → class map. */
export function clustersToLabels(clusters: ArrayLike<number>, clusterToClass: readonly number[]): Int32Array {
  const out = new Int32Array(clusters.length);
  for (let i = 0; i < clusters.length; i++) {
    const y = clusterToClass[clusters[i]];
    invariant(y !== undefined, `clustersToLabels: cluster ${clusters[i]} at row ${i} has no class`);
    out[i] = y;
  }
  return out;
}
