/**
 * Manifold metrics from k-nearest-neighbour balls in feature space:
 * - improved precision and recall (Kynkäänniemi et al. 2019, k = 3): the real (fake)
 *   manifold is the union of balls around each real (fake) point with radius the distance to its
 *   k-th nearest other point of the same set; precision is the fraction of fake points inside the
 *   real manifold, recall the fraction of real points inside the fake manifold;
 * - density and coverage (Naeem et al. 2020, k = 5): density = 1/(kM) Σ_fake Σ_real
 *   1[fake point in the real ball], which counts overlapping balls and is 1 on average when fake and
 *   real share a distribution; coverage = fraction of real balls that contain a fake point.
 *
 * Distances are exact Euclidean (a point is not its own neighbour, duplicates are), compared as
 * squares, with balls closed (≤) as in Kynkäänniemi et al.'s definition. They are computed in blocks of
 * rows so memory stays O(rows · k) however many points; the cost is about (n1² / 2 + n2² / 2 + n1·n2)
 * · dim multiply-adds.
 */
import { userCheck } from '../util/errors.js';
import type { FeatureMatrix } from './feature-matrix.js';
import { checkFeatures } from './stats.js';

/** Neighbour index of precision and recall (Kynkäänniemi et al. 2019). */
export const DEFAULT_PRECISION_RECALL_K = 3;
/** Neighbour index of density and coverage (Naeem et al. 2020). */
export const DEFAULT_DENSITY_COVERAGE_K = 5;

/** Rows of the left operand per distance block. */
const ROW_BLOCK = 64;
/** Rows of the right operand per distance block: 256 rows of 128 float64 are 256 KiB, cache-sized. */
const COL_BLOCK = 256;

/** Improved precision and recall, each in [0, 1]. */
export interface PrecisionRecall {
  /** Fraction of fake points inside the real manifold. */
  readonly precision: number;
  /** Fraction of real points inside the fake manifold. */
  readonly recall: number;
  /** Neighbour index of the ball radii. */
  readonly k: number;
}

/** Density (≥ 0, about 1 for matching distributions) and coverage in [0, 1]. */
export interface DensityCoverage {
  /** Real balls containing each fake point, averaged over fake points and divided by k. */
  readonly density: number;
  /** Fraction of real balls that contain at least one fake point. */
  readonly coverage: number;
  /** Neighbour index of the ball radii. */
  readonly k: number;
}

/** Both pairs, from one pass over the real–fake distances. */
export interface ManifoldMetrics {
  readonly precisionRecall: PrecisionRecall;
  readonly densityCoverage: DensityCoverage;
}

/** Neighbour indices of manifoldMetrics. */
export interface ManifoldMetricsOptions {
  /** k of precision and recall, ≥ 1. Default DEFAULT_PRECISION_RECALL_K. */
  readonly precisionRecallK?: number;
  /** k of density and coverage, ≥ 1. Default DEFAULT_DENSITY_COVERAGE_K. */
  readonly densityCoverageK?: number;
}

/** ||a[ai, ai + d) − b[bi, bi + d)||². */
function squaredDistance(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const e = a[ai + t] - b[bi + t];
    s += e * e;
  }
  return s;
}

/**
 * out[r · bCount + c] = ||a_{aStart+r} − b_{bStart+c}||² for r < aCount, c < bCount; a and b are
 * row-major with `d` columns.
 */
function squaredDistanceBlock(
  a: Float64Array,
  aStart: number,
  aCount: number,
  b: Float64Array,
  bStart: number,
  bCount: number,
  d: number,
  out: Float64Array,
): void {
  let r = 0;
  // Rows r, r+1 against columns c, c+1 per pass (2×2 distances), which halves the loads per
  // multiply-add.
  for (; r + 1 < aCount; r += 2) {
    const a0 = (aStart + r) * d;
    const a1 = a0 + d;
    const o0 = r * bCount;
    const o1 = o0 + bCount;
    let c = 0;
    for (; c + 1 < bCount; c += 2) {
      const b0 = (bStart + c) * d;
      const b1 = b0 + d;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let t = 0; t < d; t++) {
        const x0 = a[a0 + t];
        const x1 = a[a1 + t];
        const y0 = b[b0 + t];
        const y1 = b[b1 + t];
        const e00 = x0 - y0;
        const e01 = x0 - y1;
        const e10 = x1 - y0;
        const e11 = x1 - y1;
        s00 += e00 * e00;
        s01 += e01 * e01;
        s10 += e10 * e10;
        s11 += e11 * e11;
      }
      out[o0 + c] = s00;
      out[o0 + c + 1] = s01;
      out[o1 + c] = s10;
      out[o1 + c + 1] = s11;
    }
    if (c < bCount) {
      const b0 = (bStart + c) * d;
      out[o0 + c] = squaredDistance(a, a0, b, b0, d);
      out[o1 + c] = squaredDistance(a, a1, b, b0, d);
    }
  }
  if (r < aCount) {
    const a0 = (aStart + r) * d;
    for (let c = 0; c < bCount; c++) out[r * bCount + c] = squaredDistance(a, a0, b, (bStart + c) * d, d);
  }
}

/** Inserts v into the ascending list top[base, base + k), dropping its largest entry. */
function insertSorted(top: Float64Array, base: number, k: number, v: number): void {
  let p = base + k - 1;
  if (v >= top[p]) return;
  while (p > base && top[p - 1] > v) {
    top[p] = top[p - 1];
    p--;
  }
  top[p] = v;
}

/**
 * Squared distance from each row of `features` to its k-th nearest other row, for each k in `ks`:
 * one [rows] array per k. Each pair is computed once and offered to both rows.
 */
function kthNeighbourSquared(features: FeatureMatrix, ks: readonly number[]): Float64Array[] {
  const { rows: n, cols: d, data } = features;
  const kMax = Math.max(...ks);
  const top = new Float64Array(n * kMax).fill(Infinity);
  const block = new Float64Array(ROW_BLOCK * COL_BLOCK);
  for (let iStart = 0; iStart < n; iStart += ROW_BLOCK) {
    const iCount = Math.min(ROW_BLOCK, n - iStart);
    for (let jStart = iStart; jStart < n; jStart += COL_BLOCK) {
      const jCount = Math.min(COL_BLOCK, n - jStart);
      squaredDistanceBlock(data, iStart, iCount, data, jStart, jCount, d, block);
      for (let r = 0; r < iCount; r++) {
        const i = iStart + r;
        // Only pairs j > i: the block may start at or before i on the diagonal.
        for (let c = Math.max(0, i + 1 - jStart); c < jCount; c++) {
          const v = block[r * jCount + c];
          insertSorted(top, i * kMax, kMax, v);
          insertSorted(top, (jStart + c) * kMax, kMax, v);
        }
      }
    }
  }
  return ks.map((k) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = top[i * kMax + k - 1];
    return out;
  });
}

/**
 * Euclidean distance from each row of `features` [rows > k, dim] to its k-th nearest other row:
 * [rows], the ball radii of the manifold estimate.
 */
export function kNearestNeighbourDistances(features: FeatureMatrix, k: number): Float64Array {
  checkK(k, 'kNearestNeighbourDistances: k');
  checkFeatures(features, 'kNearestNeighbourDistances: features', k + 1);
  return kthNeighbourSquared(features, [k])[0].map(Math.sqrt);
}

function checkK(k: number, what: string): void {
  userCheck(Number.isInteger(k) && k >= 1, () => `${what} must be an integer >= 1, got ${k}`);
}

/**
 * One blockwise pass over all (fake, real) distances. Radii are squared; a radius array of −1s
 * switches its test off (no distance is ≤ −1).
 */
function crossPass(
  real: FeatureMatrix,
  fake: FeatureMatrix,
  realPrRadius2: Float64Array,
  realDcRadius2: Float64Array,
  fakePrRadius2: Float64Array,
): { fakeInReal: Uint8Array; realInFake: Uint8Array; densityCount: number; realCovered: Uint8Array } {
  const d = real.cols;
  const fakeInReal = new Uint8Array(fake.rows);
  const realInFake = new Uint8Array(real.rows);
  const realCovered = new Uint8Array(real.rows);
  let densityCount = 0;
  const block = new Float64Array(ROW_BLOCK * COL_BLOCK);
  for (let fStart = 0; fStart < fake.rows; fStart += ROW_BLOCK) {
    const fCount = Math.min(ROW_BLOCK, fake.rows - fStart);
    for (let rStart = 0; rStart < real.rows; rStart += COL_BLOCK) {
      const rCount = Math.min(COL_BLOCK, real.rows - rStart);
      squaredDistanceBlock(fake.data, fStart, fCount, real.data, rStart, rCount, d, block);
      for (let a = 0; a < fCount; a++) {
        const f = fStart + a;
        const fakeRadius = fakePrRadius2[f];
        for (let c = 0; c < rCount; c++) {
          const r = rStart + c;
          const v = block[a * rCount + c];
          if (v <= realPrRadius2[r]) fakeInReal[f] = 1;
          if (v <= fakeRadius) realInFake[r] = 1;
          if (v <= realDcRadius2[r]) {
            densityCount++;
            realCovered[r] = 1;
          }
        }
      }
    }
  }
  return { fakeInReal, realInFake, densityCount, realCovered };
}

function fraction(flags: Uint8Array): number {
  let count = 0;
  for (const f of flags) count += f;
  return count / flags.length;
}

/** Checks real [n1, dim] and fake [n2, dim] against their neighbour indices. */
function checkSets(real: FeatureMatrix, fake: FeatureMatrix, realK: number, fakeK: number, what: string): void {
  checkFeatures(real, `${what}: real features`, realK + 1);
  checkFeatures(fake, `${what}: fake features`, fakeK + 1);
  userCheck(real.cols === fake.cols, () => `${what}: feature dimensions differ (real ${real.cols} vs fake ${fake.cols})`);
}

/**
 * Precision and recall (k = precisionRecallK) and density and coverage (k = densityCoverageK) of
 * `fake` [n2, dim] against `real` [n1, dim], sharing one real–fake distance pass. Needs
 * n1 > max(both k) and n2 > precisionRecallK.
 */
export function manifoldMetrics(real: FeatureMatrix, fake: FeatureMatrix, options: ManifoldMetricsOptions = {}): ManifoldMetrics {
  const kPr = options.precisionRecallK ?? DEFAULT_PRECISION_RECALL_K;
  const kDc = options.densityCoverageK ?? DEFAULT_DENSITY_COVERAGE_K;
  checkK(kPr, 'manifoldMetrics: precisionRecallK');
  checkK(kDc, 'manifoldMetrics: densityCoverageK');
  checkSets(real, fake, Math.max(kPr, kDc), kPr, 'manifoldMetrics');
  const [realPr, realDc] = kthNeighbourSquared(real, [kPr, kDc]);
  const [fakePr] = kthNeighbourSquared(fake, [kPr]);
  const pass = crossPass(real, fake, realPr, realDc, fakePr);
  return {
    precisionRecall: { precision: fraction(pass.fakeInReal), recall: fraction(pass.realInFake), k: kPr },
    densityCoverage: { density: pass.densityCount / (kDc * fake.rows), coverage: fraction(pass.realCovered), k: kDc },
  };
}

/** Improved precision and recall of `fake` [n2 > k, dim] against `real` [n1 > k, dim]. */
export function precisionRecall(real: FeatureMatrix, fake: FeatureMatrix, options: { readonly k?: number } = {}): PrecisionRecall {
  const k = options.k ?? DEFAULT_PRECISION_RECALL_K;
  checkK(k, 'precisionRecall: k');
  checkSets(real, fake, k, k, 'precisionRecall');
  const [realRadius] = kthNeighbourSquared(real, [k]);
  const [fakeRadius] = kthNeighbourSquared(fake, [k]);
  const pass = crossPass(real, fake, realRadius, new Float64Array(real.rows).fill(-1), fakeRadius);
  return { precision: fraction(pass.fakeInReal), recall: fraction(pass.realInFake), k };
}

/** Density and coverage of `fake` [n2 ≥ 1, dim] against `real` [n1 > k, dim]; needs no fake–fake distances. */
export function densityCoverage(real: FeatureMatrix, fake: FeatureMatrix, options: { readonly k?: number } = {}): DensityCoverage {
  const k = options.k ?? DEFAULT_DENSITY_COVERAGE_K;
  checkK(k, 'densityCoverage: k');
  checkSets(real, fake, k, 0, 'densityCoverage');
  const [realRadius] = kthNeighbourSquared(real, [k]);
  const off = new Float64Array(Math.max(real.rows, fake.rows)).fill(-1);
  const pass = crossPass(real, fake, off, realRadius, off);
  return { density: pass.densityCount / (k * fake.rows), coverage: fraction(pass.realCovered), k };
}
