/**
 * Intra-class FID (Miyato & Koyama 2018, "cGANs with projection discriminator"): the FID
 * between real images of class c and images generated for class c, for every class, and their
 * mean. It measures whether a conditional generator honours its labels, which plain FID ignores.
 */
import { userCheck } from '../util/errors.js';
import { selectRows, type FeatureMatrix } from './feature-matrix.js';
import { fidFromStats } from './fid.js';
import { checkFeatures, checkGaussianStats, gaussianStats, type GaussianStats } from './stats.js';

/** FID per class (index = class) and its mean over the classes. */
export interface IntraFidResult {
  /** FID of class c at index c: [numClasses]. */
  readonly perClass: number[];
  /** Unweighted mean of perClass. */
  readonly mean: number;
}

/** Row indices of each class 0..numClasses−1, checking every label. */
function rowsByClass(labels: ArrayLike<number>, rows: number, numClasses: number, what: string): number[][] {
  userCheck(labels.length === rows, () => `${what}: ${labels.length} labels for ${rows} feature rows`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < rows; i++) {
    const y = labels[i];
    userCheck(Number.isInteger(y) && y >= 0 && y < numClasses, () => `${what}: label ${y} of row ${i} is not a class in [0, ${numClasses})`);
    byClass[y].push(i);
  }
  return byClass;
}

/**
 * Gaussian statistics of the rows of each class: features [rows, dim] with labels [rows] in
 * [0, numClasses); one GaussianStats per class, so the real side can be cached like FID's. Every
 * class needs at least 2 rows; `what` (e.g. "real") names the set in the error.
 */
export function classGaussianStats(
  features: FeatureMatrix,
  labels: ArrayLike<number>,
  numClasses: number,
  what = 'features',
): GaussianStats[] {
  userCheck(Number.isInteger(numClasses) && numClasses >= 1, () => `intraFid: numClasses must be an integer >= 1, got ${numClasses}`);
  checkFeatures(features, `intraFid: ${what}`, 0);
  const byClass = rowsByClass(labels, features.rows, numClasses, `intraFid: ${what}`);
  byClass.forEach((indices, c) =>
    userCheck(indices.length >= 2, () => `intraFid: class ${c} has ${indices.length} ${what} row(s); each class needs at least 2`),
  );
  return byClass.map((indices, c) => gaussianStats(selectRows(features, indices), `intraFid: ${what} class ${c}`));
}

/** Intra-class FID from per-class statistics (index = class), e.g. cached real and fresh fake ones. */
export function intraFidFromStats(real: readonly GaussianStats[], fake: readonly GaussianStats[]): IntraFidResult {
  userCheck(real.length >= 1, 'intraFid: no classes');
  userCheck(real.length === fake.length, () => `intraFid: ${real.length} real classes vs ${fake.length} fake classes`);
  const perClass = real.map((r, c) => {
    checkGaussianStats(r, `intraFid: real class ${c}`);
    checkGaussianStats(fake[c], `intraFid: fake class ${c}`);
    userCheck(r.dim === fake[c].dim, () => `intraFid: class ${c}: feature dimensions differ (real ${r.dim} vs fake ${fake[c].dim})`);
    return fidFromStats(r, fake[c]);
  });
  return { perClass, mean: perClass.reduce((sum, v) => sum + v, 0) / perClass.length };
}

/**
 * Intra-class FID between `real` [n1, dim] with their labels [n1] and `fake` [n2, dim] with the
 * labels they were generated for [n2], over classes 0..numClasses−1; every class needs at least 2
 * rows on each side.
 */
export function intraFid(
  real: FeatureMatrix,
  realLabels: ArrayLike<number>,
  fake: FeatureMatrix,
  fakeLabels: ArrayLike<number>,
  numClasses: number,
): IntraFidResult {
  userCheck(real.cols === fake.cols, () => `intraFid: feature dimensions differ (real ${real.cols} vs fake ${fake.cols})`);
  return intraFidFromStats(classGaussianStats(real, realLabels, numClasses, 'real'), classGaussianStats(fake, fakeLabels, numClasses, 'fake'));
}
