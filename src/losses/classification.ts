/**
 * The co-training loss of S2GAN-CO and S3GAN-CO (Lučić et al. ICML 2019): a linear classifier
 * head on the discriminator's features, trained with cross-entropy on the labelled real images
 * only, and the labels the projection term then conditions on (true labels where known, the
 * head's own prediction elsewhere).
 */
import * as tf from '@tensorflow/tfjs';
import { UNLABELLED } from '../data/types.js';
import { invariant } from '../util/errors.js';

/** Cross-entropy of the classifier head over the labelled rows of a batch. */
export interface LabelledClassificationLoss {
  /** Mean softmax cross-entropy over labelled rows (nats); 0 when no row is labelled. */
  readonly loss: tf.Scalar;
  /** Fraction of labelled rows whose argmax logit is the label, in [0, 1]; 0 when none is labelled. */
  readonly accuracy: tf.Scalar;
  /** Number of labelled rows (int32), so callers can tell "no labels" from "all wrong". */
  readonly labelledCount: tf.Scalar;
}

/** Asserts classLogits [B, K] float32 and labels [B] int32 agree. */
function checkLogitsAndLabels(classLogits: tf.Tensor2D, labels: tf.Tensor1D): void {
  invariant(
    classLogits.rank === 2 && classLogits.shape[0] > 0 && classLogits.shape[1] > 0,
    `classLogits must have shape [B, K] with B, K > 0, got [${classLogits.shape.join(', ')}]`,
  );
  invariant(classLogits.dtype === 'float32', `classLogits must be float32, got ${classLogits.dtype}`);
  invariant(
    labels.rank === 1 && labels.shape[0] === classLogits.shape[0] && labels.dtype === 'int32',
    `labels must be int32 [${classLogits.shape[0]}], got ${labels.dtype} [${labels.shape.join(', ')}]`,
  );
}

/**
 * Softmax cross-entropy averaged over labelled rows only. With m_i = [y_i ≠ UNLABELLED] and
 * n = Σ m_i:
 *   loss = −(1 / max(n, 1)) · Σ_i m_i · log softmax(classLogits_i)[y_i]
 *   accuracy = (1 / max(n, 1)) · Σ_i m_i · [argmax classLogits_i = y_i]
 * Unlabelled rows are masked out with `where`, never read as class 0: their finite logits get zero
 * gradient, and non-finite logits there do not reach the loss value (their gradient would be NaN). With no labelled row both
 * loss and accuracy are 0 (not NaN, which would poison the summed D loss); check labelledCount.
 * @param classLogits [B, K] float32.
 * @param labels [B] int32, each in 0..K−1 or UNLABELLED (−1). Values are not checked element-wise
 *   (that would need a sync); any other negative value counts as unlabelled.
 */
export function labelledClassificationLoss(
  classLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
): LabelledClassificationLoss {
  checkLogitsAndLabels(classLogits, labels);
  const numClasses = classLogits.shape[1];
  return tf.tidy(() => {
    // 1. Mask of labelled rows; unlabelled rows get a placeholder class that is masked out below.
    const labelled = tf.greater(labels, UNLABELLED);
    const safeLabels = tf.where(labelled, labels, tf.zerosLike(labels));
    const labelledCount = tf.sum(tf.cast(labelled, 'int32'));
    const denominator = tf.maximum(tf.cast(labelledCount, 'float32'), 1);
    // 2. Per-row cross-entropy, zeroed on unlabelled rows.
    const logProbs = tf.logSoftmax(classLogits);
    const rowLoss = tf.neg(tf.sum(tf.mul(tf.oneHot(safeLabels, numClasses), logProbs), 1));
    const maskedLoss = tf.where(labelled, rowLoss, tf.zerosLike(rowLoss));
    // 3. Accuracy over the same rows.
    const correct = tf.logicalAnd(labelled, tf.equal(tf.argMax(classLogits, 1), labels));
    return {
      loss: tf.div(tf.sum(maskedLoss), denominator) as tf.Scalar,
      accuracy: tf.div(tf.sum(tf.cast(correct, 'float32')), denominator) as tf.Scalar,
      labelledCount: labelledCount as tf.Scalar,
    };
  });
}

/**
 * The class each real image is projected with in the co-training variants: its label where
 * labelled, otherwise the classifier head's argmax. argMax yields integers, so no gradient flows
 * from the chosen label back into the head (the "gradient stopped" of the paper).
 * @param labels [B] int32, class or UNLABELLED (−1).
 * @param classLogits [B, K] float32.
 * @returns [B] int32, every entry in 0..K−1 (given valid labels).
 */
export function projectionLabels(labels: tf.Tensor1D, classLogits: tf.Tensor2D): tf.Tensor1D {
  checkLogitsAndLabels(classLogits, labels);
  return tf.tidy(() => {
    const predicted = tf.cast(tf.argMax(classLogits, 1), 'int32');
    return tf.where(tf.greater(labels, UNLABELLED), labels, predicted) as tf.Tensor1D;
  });
}
