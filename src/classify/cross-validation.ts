/**
 * k-fold cross-validation on the labelled subset: picks the L2 strength λ of the logistic
 * regression, and the encoder block whose pooled features classify best (docs/ALGORITHMS.md § Linear classifier).
 * Only labelled images take part; ground truth of the unlabelled ones never does.
 */
import { UNLABELLED } from '../data/types.js';
import { selectRows, type FeatureMatrix } from '../metrics/feature-matrix.js';
import { invariant, userCheck } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { fitLogisticRegression, predictLabels } from './logistic-regression.js';
import { applyStandardizer, fitStandardizer } from './standardize.js';

/** Stream of the project Rng used for fold assignment, apart from other users of the same seed. */
const FOLD_RNG_STREAM = 0x5f01d;

/**
 * Stratified k-fold split. Rule: the rows of each class (ascending class order) are shuffled with
 * `seed` and dealt round-robin to the folds, the dealer continuing where the previous class stopped.
 * So every class is spread as evenly as it can be (its count per fold differs by at most one), the
 * fold sizes differ by at most one, and a class with fewer rows than folds is allowed: it simply is
 * absent from some folds' held-out parts. Rows labelled UNLABELLED (−1) are left out.
 * Returns `folds` disjoint lists of row indices, each sorted ascending, that together hold every
 * labelled row exactly once. Needs at least `folds` labelled rows, so no fold is empty.
 */
export function stratifiedFolds(labels: ArrayLike<number>, folds: number, seed: number): number[][] {
  userCheck(Number.isInteger(folds) && folds >= 2, `cross-validation: folds must be an integer >= 2, got ${folds}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === UNLABELLED) continue;
    invariant(Number.isInteger(label) && label >= 0, `cross-validation: label ${label} at row ${i} is not a class index`);
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  }
  const labelled = [...byClass.values()].reduce((sum, members) => sum + members.length, 0);
  userCheck(labelled >= folds, `cross-validation: ${labelled} labelled images cannot fill ${folds} folds; use fewer folds or more labels`);
  const rng = new Rng(seed, FOLD_RNG_STREAM);
  const out: number[][] = Array.from({ length: folds }, () => []);
  let dealer = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    for (const index of rng.shuffle(byClass.get(label) as number[])) {
      out[dealer].push(index);
      dealer = (dealer + 1) % folds;
    }
  }
  for (const fold of out) fold.sort((a, b) => a - b);
  return out;
}

/** Options of crossValidate and selectBlock. */
export interface CrossValidationOptions {
  /** k ≥ 2 of k-fold. */
  readonly folds: number;
  /** Candidate λ values (each finite, ≥ 0), at least one. */
  readonly l2Strengths: readonly number[];
  /** Seed of the fold assignment. */
  readonly seed: number;
  /** Passed on to every fit (see LogisticRegressionOptions). */
  readonly maxIterations?: number;
  readonly tolerance?: number;
}

/** Held-out accuracy of one λ over the folds. */
export interface L2Score {
  readonly l2: number;
  /** Mean of the per-fold accuracies (each fold weighted equally). */
  readonly mean: number;
  /** Population standard deviation of the per-fold accuracies. */
  readonly std: number;
}

export interface CrossValidationResult {
  /** The λ with the highest mean accuracy; ties → the larger λ (the simpler model). */
  readonly bestL2: number;
  /** Same order as options.l2Strengths. */
  readonly accuracyByL2: L2Score[];
}

/**
 * k-fold CV of the logistic regression on `x` [n, d] with labels `y` (all in [0, numClasses)).
 * Each fold fits the standardizer on its training rows only, so held-out rows never leak into μ, σ.
 */
export function crossValidate(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  numClasses: number,
  options: CrossValidationOptions,
): CrossValidationResult {
  invariant(y.length === x.rows, `cross-validation: ${y.length} labels for ${x.rows} rows`);
  userCheck(options.l2Strengths.length >= 1, 'cross-validation: l2Strengths must list at least one value');
  for (const l2 of options.l2Strengths) {
    userCheck(Number.isFinite(l2) && l2 >= 0, `cross-validation: l2Strengths must be finite numbers >= 0, got ${l2}`);
  }
  for (let i = 0; i < y.length; i++) invariant(y[i] !== UNLABELLED, `cross-validation: row ${i} is unlabelled`);
  const folds = stratifiedFolds(y, options.folds, options.seed);

  // 1. Per fold: training rows = every other fold; standardize with the training rows' μ, σ.
  const prepared = folds.map((heldOut) => {
    const isHeldOut = new Uint8Array(x.rows);
    for (const i of heldOut) isHeldOut[i] = 1;
    const train: number[] = [];
    for (let i = 0; i < x.rows; i++) if (!isHeldOut[i]) train.push(i);
    const trainX = selectRows(x, train);
    const standardizer = fitStandardizer(trainX);
    return {
      trainX: applyStandardizer(standardizer, trainX),
      trainY: train.map((i) => y[i]),
      testX: applyStandardizer(standardizer, selectRows(x, heldOut)),
      testY: heldOut.map((i) => y[i]),
    };
  });

  // 2. Held-out accuracy of every (λ, fold).
  const accuracyByL2 = options.l2Strengths.map((l2): L2Score => {
    const accuracies = prepared.map(({ trainX, trainY, testX, testY }) => {
      const model = fitLogisticRegression(trainX, trainY, numClasses, {
        l2,
        maxIterations: options.maxIterations,
        tolerance: options.tolerance,
      });
      const predicted = predictLabels(model, testX);
      let correct = 0;
      for (let i = 0; i < testY.length; i++) if (predicted[i] === testY[i]) correct++;
      return correct / testY.length;
    });
    const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
    const variance = accuracies.reduce((a, b) => a + (b - mean) * (b - mean), 0) / accuracies.length;
    return { l2, mean, std: Math.sqrt(variance) };
  });

  // 3. Best mean; on a tie prefer the stronger penalty.
  let best = accuracyByL2[0];
  for (const score of accuracyByL2) {
    if (score.mean > best.mean || (score.mean === best.mean && score.l2 > best.l2)) best = score;
  }
  return { bestL2: best.l2, accuracyByL2 };
}

/** CV scores of one candidate feature matrix (one encoder block, or several concatenated). */
export interface BlockScore extends CrossValidationResult {
  /** Index into the candidates. */
  readonly block: number;
  /** Mean CV accuracy at bestL2. */
  readonly bestAccuracy: number;
}

export interface BlockSelection {
  /** Index of the candidate with the highest bestAccuracy; ties → the earliest block. */
  readonly bestBlock: number;
  /** One per candidate, in order. */
  readonly scores: BlockScore[];
}

/**
 * Cross-validates each candidate [n, d_b] (the same n labelled rows, one matrix per encoder block
 * or block set, dimensions may differ) with the same folds and λ grid, and picks the best one.
 * `onProgress(done, total)` is called after each candidate (a candidate can take a minute).
 */
export function selectBlock(
  candidates: readonly FeatureMatrix[],
  y: ArrayLike<number>,
  numClasses: number,
  options: CrossValidationOptions,
  onProgress?: (done: number, total: number) => void,
): BlockSelection {
  userCheck(candidates.length >= 1, 'selectBlock: no candidate feature matrices');
  onProgress?.(0, candidates.length);
  const scores = candidates.map((features, block): BlockScore => {
    invariant(features.rows === y.length, `selectBlock: block ${block} has ${features.rows} rows for ${y.length} labels`);
    const result = crossValidate(features, y, numClasses, options);
    const bestAccuracy = (result.accuracyByL2.find((s) => s.l2 === result.bestL2) as L2Score).mean;
    onProgress?.(block + 1, candidates.length);
    return { block, bestAccuracy, ...result };
  });
  let bestBlock = 0;
  for (const score of scores) if (score.bestAccuracy > scores[bestBlock].bestAccuracy) bestBlock = score.block;
  return { bestBlock, scores };
}
