/**
 * The stage-2 classifier as one unit (docs/ALGORITHMS.md § Linear classifier): standardize features with the
 * labelled rows' statistics, pick the L2 strength by k-fold cross-validation on the labelled rows,
 * fit the multinomial logistic regression on all of them, and predict any rows with their softmax
 * confidence. Used on encoder features and, as the baseline, on raw pixels.
 */
import { selectRows, type FeatureMatrix } from '../metrics/feature-matrix.js';
import { crossValidate, type CrossValidationOptions, type CrossValidationResult } from './cross-validation.js';
import { fitLogisticRegression, predictProbabilities, type LogisticRegressionModel } from './logistic-regression.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from './standardize.js';

export interface LinearProbe {
  readonly standardizer: Standardizer;
  readonly model: LogisticRegressionModel;
  /** The L2 strength the cross-validation chose. */
  readonly l2: number;
  readonly crossValidation: CrossValidationResult;
}

export interface ProbePrediction {
  /** Argmax class per row. */
  readonly labels: Int32Array;
  /** Softmax probability of that class per row. */
  readonly confidences: Float32Array;
  /** [rows, numClasses] softmax probabilities. */
  readonly probabilities: FeatureMatrix;
}

/**
 * Fits the probe on the rows `labelled` of `features` with labels `labels` (one per labelled row).
 * Only those rows enter the standardizer, the cross-validation and the fit.
 */
export function fitLinearProbe(
  features: FeatureMatrix,
  labelled: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  options: CrossValidationOptions,
): LinearProbe {
  if (labels.length !== labelled.length) throw new Error(`fitLinearProbe: ${labels.length} labels for ${labelled.length} labelled rows`);
  const x = selectRows(features, labelled);
  const crossValidation = crossValidate(x, labels, numClasses, options);
  const standardizer = fitStandardizer(x);
  const model = fitLogisticRegression(applyStandardizer(standardizer, x), labels, numClasses, {
    l2: crossValidation.bestL2,
    maxIterations: options.maxIterations,
    tolerance: options.tolerance,
  });
  return { standardizer, model, l2: crossValidation.bestL2, crossValidation };
}

/** Class, confidence and probabilities of every row of `features` [rows, d]. */
export function predictWithProbe(probe: LinearProbe, features: FeatureMatrix): ProbePrediction {
  const probabilities = predictProbabilities(probe.model, applyStandardizer(probe.standardizer, features));
  const k = probabilities.cols;
  const labels = new Int32Array(probabilities.rows);
  const confidences = new Float32Array(probabilities.rows);
  for (let i = 0; i < probabilities.rows; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities.data[i * k + c] > probabilities.data[i * k + best]) best = c;
    labels[i] = best;
    confidences[i] = probabilities.data[i * k + best];
  }
  return { labels, confidences, probabilities };
}
