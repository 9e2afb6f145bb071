/**
 * The S4L classifier of stage 2 (docs/ALGORITHMS.md § S4L classifier): S4L-Rotation of Zhai, Oliver,
 * Kolesnikov & Beyer, "S4L: Self-Supervised Semi-Supervised Learning" (ICCV 2019, Sec. 3), the
 * classifier the S3GAN paper (Lučić et al., ICML 2019, Sec. 3.1) trains to pseudo-label for S2GAN.
 * The pretrained rotation encoder gets a linear class head on the pooled features of one block, and
 * the whole network is fine-tuned on
 *   L = CE(rotation(rot_r(x)), r)  over a batch of all training images, each at all four rotations
 *     + w · CE(class(x_l), y_l)    over a batch of labelled images, unrotated, drawn with replacement
 * S4L's eq. 1 weights the self-supervised term (L_l + w · L_u); the weight sits on the labelled
 * term here, so that w = 1 is S4L's equal weighting and w = 0 leaves plain rotation training.
 *
 * Both batches go through the network in one forward pass, so batch norm sees one set of batch
 * statistics per update (and updates its moving averages once), not one per loss term.
 */
import * as tf from '@tensorflow/tfjs';
import { batchIndices, gatherPixels, toNetworkInput } from '../data/batches.js';
import { allRotations, NUM_ROTATIONS } from '../data/rotate.js';
import type { FitMode } from '../data/transforms.js';
import { splitSize, type ImageSplit } from '../data/types.js';
import { labelledClassificationLoss } from '../losses/classification.js';
import { rotationLoss } from '../losses/rotation.js';
import { ENCODER_OUTPUTS } from '../nn/architectures/rotation-encoder.js';
import { seededNormal } from '../nn/layers/init.js';
import { invariant, userCheck } from '../util/errors.js';
import { createProgress, type ProgressStream } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import { DivergenceError } from '../training/common/divergence.js';
import { fusedAdam } from '../training/common/fused-adam.js';
import { trainableVariables } from '../training/common/variables.js';

/** Rng stream of the labelled draws; the rotation batches use the seed's epoch streams 0, 1, … (batchIndices). */
export const S4L_LABELLED_STREAM = 0x5a4c;

/** A rotation encoder with a class head, sharing the encoder's layers (and so its weights). */
export interface S4lClassifier {
  /** x [B, s, s, c] in [−1, 1] → [rotationLogits [B, 4], classLogits [B, numClasses]]. */
  readonly model: tf.LayersModel;
  /** The encoder block whose pooled features the class head reads. */
  readonly block: number;
  readonly numClasses: number;
  /** Frees the class head only: the encoder's layers stay owned (and disposed) by the encoder. */
  dispose(): void;
}

/**
 * Adds a dense class head (numClasses logits, N(0, 1/fan_in) init from `seed`) on the pooled
 * features of `block` of `encoder` (a buildRotationEncoder model, or one read back from disk).
 * Training the result trains the encoder in place.
 */
export function buildS4lClassifier(encoder: tf.LayersModel, numClasses: number, block: number, seed: number): S4lClassifier {
  invariant(encoder.outputs.length === ENCODER_OUTPUTS.length, `an S4L classifier needs a rotation encoder (${ENCODER_OUTPUTS.length} outputs), got ${encoder.outputs.length}`);
  userCheck(Number.isInteger(block) && block >= 0 && block < ENCODER_OUTPUTS.length - 1, `encoder block ${block} does not exist: the encoder has blocks 0..${ENCODER_OUTPUTS.length - 2}`);
  invariant(Number.isInteger(numClasses) && numClasses >= 2, `an S4L classifier needs at least 2 classes, got ${numClasses}`);
  // Output k + 1 of the encoder is block k's pooled features [B, c_k].
  const features = encoder.outputs[block + 1];
  const fanIn = features.shape[1] as number;
  const head = tf.layers.dense({ units: numClasses, kernelInitializer: seededNormal(Math.sqrt(1 / fanIn), seed), name: 's4l_class' });
  const classLogits = head.apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: encoder.inputs, outputs: [encoder.outputs[0], classLogits], name: 's4l_classifier' });
  return { model, block, numClasses, dispose: () => head.dispose() };
}

/** The numbers of one S4L update. */
export interface S4lStepResult {
  /** rotationLoss + classWeight · classLoss (nats). */
  readonly loss: number;
  /** Rotation cross-entropy over the rotated rows (nats). */
  readonly rotationLoss: number;
  /** Fraction of rotated rows whose rotation is predicted right. */
  readonly rotationAccuracy: number;
  /** Class cross-entropy over the labelled rows (nats). */
  readonly classLoss: number;
  /** Fraction of labelled rows classified right (training mode, before the update). */
  readonly classAccuracy: number;
}

/**
 * One Adam update of the whole classifier (encoder and head):
 *   minimise CE(rotation(rot_r(images)), r) + classWeight · CE(class(labelledImages), labels).
 * @param images [B, s, s, c] shown at all four rotations ([4B] rows).
 * @param labelledImages [L, s, s, c], unrotated.
 * @param labels [L] int32 classes of labelledImages, each in 0..numClasses−1.
 */
export function s4lStep(
  classifier: S4lClassifier,
  optimizer: tf.Optimizer,
  images: tf.Tensor4D,
  labelledImages: tf.Tensor4D,
  labels: tf.Tensor1D,
  classWeight: number,
): S4lStepResult {
  invariant(images.rank === 4 && labelledImages.rank === 4 && images.shape.slice(1).join() === labelledImages.shape.slice(1).join(), 'images and labelled images share [s, s, c]');
  invariant(labels.rank === 1 && labels.shape[0] === labelledImages.shape[0], `${labels.shape[0]} labels for ${labelledImages.shape[0]} labelled images`);
  const rotated = allRotations(images);
  const rotatedRows = rotated.images.shape[0];
  const inputs = tf.concat([rotated.images, labelledImages], 0);
  const kept: tf.Tensor[] = [rotated.images, rotated.rotationLabels, inputs];
  try {
    let parts: tf.Scalar[] = [];
    const loss = optimizer.minimize(
      () => {
        const [rotationLogits, classLogits] = classifier.model.apply(inputs, { training: true }) as tf.Tensor2D[];
        // 1. Rotation task on the rotated rows (S4L's L_u: every image, labelled or not).
        const rotation = rotationLoss(tf.slice(rotationLogits, [0, 0], [rotatedRows, NUM_ROTATIONS]), rotated.rotationLabels);
        // 2. Supervised cross-entropy on the labelled rows (S4L's L_l).
        const supervised = labelledClassificationLoss(tf.slice(classLogits, [rotatedRows, 0], [-1, classifier.numClasses]), labels);
        parts = [rotation.loss, rotation.accuracy, supervised.loss, supervised.accuracy].map((p) => tf.keep(p));
        kept.push(...parts);
        // 3. The weighted sum (S4L eq. 1, weight on the supervised term).
        return tf.add(rotation.loss, tf.mul(classWeight, supervised.loss));
      },
      true,
      trainableVariables(classifier.model),
    );
    invariant(loss !== null && parts.length === 4, 'the S4L loss was computed');
    kept.push(loss);
    const [rotationLossValue, rotationAccuracy, classLoss, classAccuracy] = parts.map((p) => p.dataSync()[0]);
    return { loss: loss.dataSync()[0], rotationLoss: rotationLossValue, rotationAccuracy, classLoss, classAccuracy };
  } finally {
    tf.dispose(kept);
  }
}

export interface S4lTrainingOptions {
  readonly numClasses: number;
  /** Encoder block under the class head. */
  readonly block: number;
  /** Adam updates (pseudoLabel.s4lSteps). */
  readonly steps: number;
  /** Adam learning rate (pseudoLabel.s4lLearningRate). */
  readonly learningRate: number;
  /** Images per rotation batch, before the four rotations (pseudoLabel.s4lBatchSize). */
  readonly batchSize: number;
  /** Labelled images per step, with replacement (pseudoLabel.s4lLabelledBatchSize). */
  readonly labelledBatchSize: number;
  /** Weight w of the labelled cross-entropy (pseudoLabel.s4lClassWeight). */
  readonly classWeight: number;
  /** Seed of the head's init, the rotation batches and the labelled draws. */
  readonly seed: number;
  /** Side in pixels of the encoder's input (data.imageSize of the pretraining run). */
  readonly imageSize: number;
  readonly fit: FitMode;
  /** Progress display (default stderr). */
  readonly progressStream?: ProgressStream;
  /** Called after every update with its numbers, e.g. to watch memory or the losses. */
  readonly onStep?: (step: number, result: S4lStepResult) => void;
}

export interface S4lTraining {
  /** The fine-tuned classifier; dispose it before the encoder. */
  readonly classifier: S4lClassifier;
  /** One record per update, in order. */
  readonly history: S4lStepResult[];
  readonly trainSeconds: number;
}

/**
 * Fine-tunes `encoder` (in place) with a new class head for options.steps updates: rotation
 * batches run through `split` in the seed's epoch order (all images, labelled or not), labelled
 * batches are drawn with replacement from `labelled` (split indices) with their `labels`.
 */
export async function trainS4lClassifier(
  encoder: tf.LayersModel,
  split: ImageSplit,
  labelled: Int32Array,
  labels: Int32Array,
  options: S4lTrainingOptions,
): Promise<S4lTraining> {
  const { steps, batchSize, labelledBatchSize, imageSize, fit, seed } = options;
  const count = splitSize(split);
  userCheck(batchSize <= count, `pseudoLabel.s4lBatchSize (${batchSize}) is larger than the ${count} training images`);
  userCheck(labelled.length > 0, 'the S4L classifier needs at least one labelled image');
  invariant(labels.length === labelled.length, `${labels.length} labels for ${labelled.length} labelled images`);
  for (const y of labels) invariant(Number.isInteger(y) && y >= 0 && y < options.numClasses, `label ${y} is outside 0..${options.numClasses - 1}`);

  const classifier = buildS4lClassifier(encoder, options.numClasses, options.block, seed);
  const optimizer = fusedAdam(options.learningRate);
  const pool = Int32Array.from({ length: count }, (_, i) => i);
  const draws = new Rng(seed, S4L_LABELLED_STREAM);
  const history: S4lStepResult[] = [];
  const started = performance.now();
  const progress = createProgress({ label: 's4l', total: steps, unit: 'steps', stream: options.progressStream, announce: true });
  try {
    for (let step = 1; step <= steps; step++) {
      // Batches are made here, one step at a time, so no tensor outlives its step.
      const indices = batchIndices(pool, batchSize, seed, step - 1);
      const picks = Int32Array.from({ length: labelledBatchSize }, () => draws.int(labelled.length));
      const labelledIndices = Int32Array.from(picks, (k) => labelled[k]);
      const batch = tf.tidy(() => ({
        images: toNetworkInput(split, gatherPixels(split, indices), indices.length, imageSize, fit),
        labelledImages: toNetworkInput(split, gatherPixels(split, labelledIndices), labelledIndices.length, imageSize, fit),
        labels: tf.tensor1d(Int32Array.from(picks, (k) => labels[k]), 'int32'),
      }));
      let result: S4lStepResult;
      try {
        result = s4lStep(classifier, optimizer, batch.images, batch.labelledImages, batch.labels, options.classWeight);
      } finally {
        tf.dispose(batch);
      }
      if (!Number.isFinite(result.loss)) {
        throw new DivergenceError(`S4L fine-tuning diverged at step ${step}: loss = ${result.loss}. Lower pseudoLabel.s4lLearningRate and rerun.`);
      }
      history.push(result);
      options.onStep?.(step, result);
      progress.update(step, { rot: result.rotationLoss, cls: result.classLoss, clsAcc: result.classAccuracy });
      // Let the progress display and other work run between updates.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    classifier.dispose();
    throw error;
  } finally {
    progress.stop();
    optimizer.dispose();
  }
  return { classifier, history, trainSeconds: (performance.now() - started) / 1000 };
}

/** Field-wise mean of step records (e.g. the last few, for a report); NaN fields for none. */
export function meanStepResult(records: readonly S4lStepResult[]): S4lStepResult {
  const mean = (key: keyof S4lStepResult) => records.reduce((sum, r) => sum + r[key], 0) / records.length;
  return { loss: mean('loss'), rotationLoss: mean('rotationLoss'), rotationAccuracy: mean('rotationAccuracy'), classLoss: mean('classLoss'), classAccuracy: mean('classAccuracy') };
}
