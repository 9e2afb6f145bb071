/**
 * The forward passes of a step: D on a batch of images, with (when a term asks) the last
 * k = B / (4·rotatedBatchFraction) images appended at all four rotations in the same pass (SS-GAN;
 * bench-32: batch 64, fraction 4 → 16 rotated rows). The records hold the first B (unrotated) rows;
 * the rotation logits of the 4k appended rows are returned apart.
 */
import * as tf from '@tensorflow/tfjs';
import { rotatedBatch } from '../../../losses/rotation.js';
import { applyDiscriminator, type DiscriminatorRecord } from '../../../nn/architectures/discriminator-record.js';
import { invariant } from '../../../util/errors.js';
import type { TrainedModels } from '../steps.js';
import type { ScoredImages } from './term.js';

/** [B] → [B, 1] int32, the label input shape of the models. */
export function asLabelInput(labels: tf.Tensor1D): tf.Tensor2D {
  return tf.reshape(labels, [-1, 1]);
}

/** Labels for a batch extended by rotatedBatch: the last k labels, repeated for each rotation. */
function labelsWithRotations(labels: tf.Tensor1D, k: number): tf.Tensor1D {
  const batch = labels.shape[0];
  const rows = new Int32Array(batch + 4 * k);
  for (let i = 0; i < batch; i++) rows[i] = i;
  for (let i = 0; i < 4 * k; i++) rows[batch + i] = batch - k + (i % k);
  return tf.gather(labels, tf.tensor1d(rows, 'int32'));
}

export interface ScoreOptions {
  /** LayersModel.apply's training flag: spectral-norm vectors advance, batch norm uses batch statistics. */
  readonly training: boolean;
  /** Append the rotated copies (needs D's rotation head). */
  readonly rotate: boolean;
  readonly rotatedBatchFraction: number;
}

/** Runs D on images (and, with `rotate`, their appended rotations), splitting the outputs. */
export function scoreImages(models: TrainedModels, images: tf.Tensor4D, labels: tf.Tensor1D, options: ScoreOptions): ScoredImages {
  const batch = images.shape[0];
  const extended = options.rotate ? rotatedBatch(images, options.rotatedBatchFraction) : undefined;
  const x = extended?.images ?? images;
  const y = extended === undefined ? labels : labelsWithRotations(labels, extended.k);
  invariant(models.discriminator !== undefined, 'scoring images needs a discriminator');
  const out = applyDiscriminator(models.discriminator, models.conditional ? [x, asLabelInput(y)] : x, { training: options.training });
  if (extended === undefined) return { record: out };
  invariant(out.rotationLogits !== undefined, 'rotated images need a discriminator with a rotation head');
  const firstRows = (t: tf.Tensor2D): tf.Tensor2D => tf.slice(t, [0, 0], [batch, t.shape[1]]);
  const record: DiscriminatorRecord = {
    logit: firstRows(out.logit),
    rotationLogits: firstRows(out.rotationLogits),
    classLogits: out.classLogits === undefined ? undefined : firstRows(out.classLogits),
    features: firstRows(out.features),
  };
  const appended = 4 * extended.k;
  const rotationLogits = tf.slice(out.rotationLogits, [batch, 0], [appended, 4]);
  return { record, rotated: { rotationLogits, rotationLabels: extended.rotationLabels } };
}
