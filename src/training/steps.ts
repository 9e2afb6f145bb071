/**
 * One optimizer update of the discriminator, and one of the generator, for the S3GAN family.
 * Each step names its variable list explicitly (no frozen combined model): the D step updates only
 * D's trainable weights, the G step only G's. Steps are synchronous tensor code and leave no
 * tensors behind; they return plain numbers for logging.
 *
 * Rotation (SS-GAN): the last k = B / (4·rotatedBatchFraction) images of a batch are appended at all
 * four rotations; adversarial terms use the first B (unrotated) rows only, the rotation loss the 4k
 * appended rows (bench-32: batch 64, fraction 4 → 16 rotated rows).
 *
 * Co-training (S2GAN-CO, S3GAN-CO): real labels may be UNLABELLED. Before the update, D's classifier
 * head (inference mode) predicts a class for every real image; the projection term uses the true
 * label where there is one and that prediction elsewhere (integer argmax: no gradient flows through
 * the choice). L_D adds the head's cross-entropy on the labelled rows.
 */
import * as tf from '@tensorflow/tfjs';
import { adversarialLoss, type AdversarialLossName } from '../losses/adversarial.js';
import { labelledClassificationLoss, projectionLabels } from '../losses/classification.js';
import { rotatedBatch, rotationLoss, s3ganDiscriminatorLoss, s3ganGeneratorLoss } from '../losses/rotation.js';

export interface GanModels {
  /** [z, y?] → images [B, s, s, c] in [−1, 1]. */
  readonly generator: tf.LayersModel;
  /** [x, y?] → [logit [B, 1], rotationLogits [B, 4]?, …]. */
  readonly discriminator: tf.LayersModel;
  /** Whether both networks take class labels. */
  readonly conditional: boolean;
  /** Whether the discriminator has a rotation head and the rotation losses apply. */
  readonly rotation: boolean;
  /** Whether the discriminator has a classifier head trained on labelled real images. */
  readonly coTraining: boolean;
}

export interface StepOptions {
  readonly loss: AdversarialLossName;
  readonly rotatedBatchFraction: number;
  /** w_d: weight of the real-image rotation loss in L_D. */
  readonly rotationWeightD: number;
  /** w_g: weight of the fake-image rotation loss in L_G. */
  readonly rotationWeightG: number;
  /** Weight of the co-training classification loss in L_D (default 1, as in the S3GAN paper). */
  readonly classifierWeight?: number;
}

/** Inputs of one D step. */
export interface DiscriminatorBatch {
  /** [B, s, s, c] in [−1, 1]. */
  readonly realImages: tf.Tensor4D;
  /**
   * [B] int32 labels of the real images (ignored when unconditional). UNLABELLED (−1) is allowed
   * only with co-training, which resolves it from D's classifier head.
   */
  readonly realLabels: tf.Tensor1D;
  /** [B, zDim] latent vectors for the fakes. */
  readonly z: tf.Tensor2D;
  /** [B] int32 classes requested for the fakes. */
  readonly fakeLabels: tf.Tensor1D;
}

export type GeneratorBatch = Pick<DiscriminatorBatch, 'z' | 'fakeLabels'>;

export interface DiscriminatorStepResult {
  readonly dLoss: number;
  readonly dLossReal: number;
  readonly dLossFake: number;
  /** Rotation CE on real images (NaN without rotation). */
  readonly dRotationLoss: number;
  /** D's rotation accuracy on real images (NaN without rotation). */
  readonly dRotationAccuracyReal: number;
  /** Classifier-head cross-entropy on the labelled real rows (NaN without co-training). */
  readonly dClassifierLoss: number;
  /** Classifier-head accuracy on the labelled real rows (NaN without co-training or labelled rows). */
  readonly dClassifierAccuracy: number;
}

export interface GeneratorStepResult {
  readonly gLoss: number;
  /** Rotation CE on generated images (NaN without rotation). */
  readonly gRotationLoss: number;
  /** D's rotation accuracy on generated images (NaN without rotation). */
  readonly dRotationAccuracyFake: number;
}

/** The tf.Variables behind a model's trainable weights: the explicit variable list of a step. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

/** [B] → [B, 1] int32, the label input shape of the models. */
function asLabelInput(labels: tf.Tensor1D): tf.Tensor2D {
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

interface Scored {
  /** [B] adversarial logits of the unrotated rows. */
  readonly logits: tf.Tensor1D;
  /** Rotation loss and accuracy of the appended rows, when rotation applies. */
  readonly rotation?: { loss: tf.Scalar; accuracy: tf.Scalar };
  /** [B, K] class logits of the unrotated rows, when D has a classifier head. */
  readonly classLogits?: tf.Tensor2D;
}

/** D's outputs by name: logit, then rotation and class logits when the heads exist (in that order). */
function outputsOf(models: GanModels, outputs: tf.Tensor | tf.Tensor[]): { logit: tf.Tensor; rotationLogits?: tf.Tensor; classLogits?: tf.Tensor } {
  const list = Array.isArray(outputs) ? outputs : [outputs];
  let next = 1;
  const rotationLogits = models.rotation ? list[next++] : undefined;
  const classLogits = models.coTraining ? list[next++] : undefined;
  return { logit: list[0], rotationLogits, classLogits };
}

/** Runs D on images (and, with `withRotation`, their appended rotations), splitting the outputs. */
function score(models: GanModels, images: tf.Tensor4D, labels: tf.Tensor1D, options: StepOptions, training: boolean, withRotation: boolean): Scored {
  const batch = images.shape[0];
  const rotate = models.rotation && withRotation;
  const extended = rotate ? rotatedBatch(images, options.rotatedBatchFraction) : undefined;
  const x = extended?.images ?? images;
  const y = extended === undefined ? labels : labelsWithRotations(labels, extended.k);
  const out = outputsOf(models, models.discriminator.apply(models.conditional ? [x, asLabelInput(y)] : x, { training }) as tf.Tensor | tf.Tensor[]);
  const firstRows = (t: tf.Tensor): tf.Tensor => (extended === undefined ? t : tf.slice(t, [0, 0], [batch, t.shape[1]!]));
  const logits = tf.reshape(firstRows(out.logit), [batch]) as tf.Tensor1D;
  const classLogits = out.classLogits === undefined ? undefined : (firstRows(out.classLogits) as tf.Tensor2D);
  if (extended === undefined || out.rotationLogits === undefined) return { logits, classLogits };
  const appended = 4 * extended.k;
  const rotation = rotationLoss(tf.slice(out.rotationLogits, [batch, 0], [appended, 4]) as tf.Tensor2D, extended.rotationLabels);
  return { logits, rotation, classLogits };
}

/**
 * Co-training: the class each real image is projected with, from D's classifier head in inference
 * mode (true label where labelled). Other methods: the labels as given.
 */
function resolveRealLabels(models: GanModels, realImages: tf.Tensor4D, realLabels: tf.Tensor1D): tf.Tensor1D {
  if (!models.coTraining) return realLabels.clone();
  return tf.tidy(() => {
    // The projection input is irrelevant to the class logits; any valid class will do.
    const placeholder = asLabelInput(tf.zerosLike(realLabels));
    const out = outputsOf(models, models.discriminator.apply([realImages, placeholder], { training: false }) as tf.Tensor[]);
    return projectionLabels(realLabels, out.classLogits as tf.Tensor2D);
  });
}

/** Scalars to numbers for logging (NaN for an absent one), disposing the tensors. */
function readScalars<K extends string>(scalars: Record<K, tf.Scalar | null | undefined>): Record<K, number> {
  const values = {} as Record<K, number>;
  for (const key of Object.keys(scalars) as K[]) {
    const scalar = scalars[key];
    values[key] = scalar == null ? NaN : scalar.dataSync()[0];
    scalar?.dispose();
  }
  return values;
}

function generate(models: GanModels, z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor4D {
  const inputs = models.conditional ? [z, asLabelInput(labels)] : z;
  return models.generator.apply(inputs, { training: true }) as tf.Tensor4D;
}

/**
 * D step: minimise L_D = adversarial D loss + w_d · CE(rotation of rotated reals). Fakes come from
 * G without gradient to G (G's variables are not in the list).
 */
export function discriminatorStep(models: GanModels, optimizer: tf.Optimizer, batch: DiscriminatorBatch, options: StepOptions): DiscriminatorStepResult {
  const record: {
    dLossReal?: tf.Scalar;
    dLossFake?: tf.Scalar;
    rotationLoss?: tf.Scalar;
    rotationAccuracy?: tf.Scalar;
    classifierLoss?: tf.Scalar;
    classifierAccuracy?: tf.Scalar;
  } = {};
  const realLabels = resolveRealLabels(models, batch.realImages, batch.realLabels);
  const cost = optimizer.minimize(
    () => {
      const fakes = generate(models, batch.z, batch.fakeLabels);
      // Rotation enters L_D through real images only (docs/ALGORITHMS.md § S3GAN loss).
      const real = score(models, batch.realImages, realLabels, options, true, true);
      const fake = score(models, fakes, batch.fakeLabels, options, true, false);
      const adversarial = adversarialLoss(options.loss, { realLogits: real.logits, fakeLogits: fake.logits });
      record.dLossReal = tf.keep(adversarial.dLossReal.clone());
      record.dLossFake = tf.keep(adversarial.dLossFake.clone());
      let total: tf.Scalar = adversarial.dLoss;
      if (real.rotation !== undefined) {
        record.rotationLoss = tf.keep(real.rotation.loss.clone());
        record.rotationAccuracy = tf.keep(real.rotation.accuracy.clone());
        total = s3ganDiscriminatorLoss({ adversarial, realRotation: real.rotation, weightD: options.rotationWeightD }).total;
      }
      if (real.classLogits !== undefined) {
        // The head learns from the labelled rows only; unlabelled rows carry UNLABELLED here.
        const classification = labelledClassificationLoss(real.classLogits, batch.realLabels);
        record.classifierLoss = tf.keep(classification.loss.clone());
        record.classifierAccuracy = tf.keep(classification.accuracy.clone());
        total = tf.add(total, tf.mul(classification.loss, options.classifierWeight ?? 1));
      }
      return total;
    },
    true,
    trainableVariables(models.discriminator),
  );
  realLabels.dispose();
  return readScalars({
    dLoss: cost,
    dLossReal: record.dLossReal,
    dLossFake: record.dLossFake,
    dRotationLoss: record.rotationLoss,
    dRotationAccuracyReal: record.rotationAccuracy,
    dClassifierLoss: record.classifierLoss,
    dClassifierAccuracy: record.classifierAccuracy,
  });
}

/**
 * G step: minimise L_G = adversarial G loss + w_g · CE(rotation of rotated fakes). D is applied in
 * inference mode (its spectral-norm vectors are not advanced) and its variables are not in the list.
 */
export function generatorStep(models: GanModels, optimizer: tf.Optimizer, batch: GeneratorBatch, options: StepOptions): GeneratorStepResult {
  const record: { rotationLoss?: tf.Scalar; rotationAccuracy?: tf.Scalar } = {};
  const cost = optimizer.minimize(
    () => {
      const fakes = generate(models, batch.z, batch.fakeLabels);
      const fake = score(models, fakes, batch.fakeLabels, options, false, true);
      // The G loss only reads the fake logits; the real side is a placeholder of the same shape.
      const adversarial = adversarialLoss(options.loss, { realLogits: tf.zerosLike(fake.logits), fakeLogits: fake.logits });
      if (fake.rotation === undefined) return adversarial.gLoss;
      record.rotationLoss = tf.keep(fake.rotation.loss.clone());
      record.rotationAccuracy = tf.keep(fake.rotation.accuracy.clone());
      return s3ganGeneratorLoss({ adversarial, fakeRotation: fake.rotation, weightG: options.rotationWeightG }).total;
    },
    true,
    trainableVariables(models.generator),
  );
  return readScalars({ gLoss: cost, gRotationLoss: record.rotationLoss, dRotationAccuracyFake: record.rotationAccuracy });
}
