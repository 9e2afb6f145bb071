/**
 * The self-supervised rotation task of the discriminator (SS-GAN, Chen et al. CVPR 2019; used by
 * S3GAN, Lučić et al. ICML 2019) and the S3GAN objectives that add it to the adversarial loss:
 *   L_D = adversarial D loss + w_d · CE(rotation(rot(x)), r)
 *   L_G = adversarial G loss + w_g · CE(rotation(rot(G(z, y'))), r)
 * with w_d = 1.0 and w_g = 0.2 (Compare GAN's `gans/s3gan.py` and `gans/ssgan.py`).
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRotated, NUM_ROTATIONS, rotationBlockLabels, rotationBlocks } from '../data/rotate.js';
import { invariant, userCheck } from '../util/errors.js';
import type { AdversarialLoss } from './adversarial.js';

/** Default weight w_d of the rotation loss of real images in the discriminator loss. */
export const DEFAULT_ROTATION_WEIGHT_D = 1.0;
/** Default weight w_g of the rotation loss of generated images in the generator loss. */
export const DEFAULT_ROTATION_WEIGHT_G = 0.2;

/** Rotation-prediction loss of one batch of rotated images. */
export interface RotationLoss {
  /** Mean softmax cross-entropy over the rotated images (nats). */
  readonly loss: tf.Scalar;
  /** Fraction of rotated images whose argmax logit is the true rotation, in [0, 1]. */
  readonly accuracy: tf.Scalar;
}

/**
 * Softmax cross-entropy of the rotation head.
 *   loss = −mean_i log softmax(rotationLogits_i)[r_i],
 *   accuracy = mean_i [argmax rotationLogits_i = r_i]   (ties go to the lowest index).
 * @param rotationLogits [N, 4] float32, N > 0.
 * @param rotationLabels [N] int32, each in 0..3 (not checked element-wise: that would need a sync;
 *   an out-of-range label contributes 0 to the loss).
 */
export function rotationLoss(rotationLogits: tf.Tensor2D, rotationLabels: tf.Tensor1D): RotationLoss {
  const [count, classes] = rotationLogits.shape;
  invariant(
    rotationLogits.rank === 2 && classes === NUM_ROTATIONS && count > 0,
    `rotationLogits must have shape [N, ${NUM_ROTATIONS}] with N > 0, got [${rotationLogits.shape.join(', ')}]`,
  );
  invariant(
    rotationLabels.rank === 1 && rotationLabels.shape[0] === count && rotationLabels.dtype === 'int32',
    `rotationLabels must be int32 [${count}], got ${rotationLabels.dtype} [${rotationLabels.shape.join(', ')}]`,
  );
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(rotationLogits);
    const target = tf.oneHot(rotationLabels, NUM_ROTATIONS);
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(target, logProbs), 1))) as tf.Scalar;
    const correct = tf.equal(tf.argMax(rotationLogits, 1), rotationLabels);
    return { loss, accuracy: tf.mean(tf.cast(correct, 'float32')) as tf.Scalar };
  });
}

/** A batch with rotated copies of its last images appended. */
export interface RotatedBatch {
  /** [B + 4·k, H, W, C]: the B input images unchanged, then the last k at 0°, 90°, 180°, 270°. */
  readonly images: tf.Tensor4D;
  /** [4·k] int32: 0 for the first k appended images, then 1, 2, 3 (one block per rotation). */
  readonly rotationLabels: tf.Tensor1D;
  /** Number of images of the batch shown at every rotation: B / (4 · rotatedBatchFraction). */
  readonly k: number;
}

/**
 * Appends the last k = B / (4 · rotatedBatchFraction) images of `images` at all four rotations, as
 * Compare GAN's SS-GAN does, so one discriminator call scores the batch and the rotated copies.
 * The adversarial loss uses only the first B rows of D's output, the rotation loss the last 4·k.
 * With the bench's batch 64 and rotatedBatchFraction 4: k = 64 / 16 = 4, so the last 4 images are
 * appended at 4 rotations, 16 extra rows, images [80, H, W, C].
 * @param images [B, H, W, C], square (H = W).
 * @param rotatedBatchFraction positive integer; B must be divisible by 4 · rotatedBatchFraction.
 */
export function rotatedBatch(images: tf.Tensor4D, rotatedBatchFraction: number): RotatedBatch {
  invariant(images.rank === 4, `images must be [B, H, W, C], got [${images.shape.join(', ')}]`);
  const batch = images.shape[0];
  userCheck(
    Number.isInteger(rotatedBatchFraction) && rotatedBatchFraction > 0,
    `rotatedBatchFraction must be a positive integer, got ${rotatedBatchFraction}`,
  );
  const divisor = NUM_ROTATIONS * rotatedBatchFraction;
  userCheck(
    batch > 0 && batch % divisor === 0,
    `batch size ${batch} must be a positive multiple of 4 · rotatedBatchFraction = ${divisor} ` +
      `(rotatedBatchFraction ${rotatedBatchFraction})`,
  );
  const k = batch / divisor;
  // One gather: the batch unchanged, then its last k images in four rotation blocks.
  const unchanged = Array.from({ length: batch }, (_, image) => ({ image, turns: 0 }));
  const extended = gatherRotated(images, [...unchanged, ...rotationBlocks(batch - k, k)]);
  return { images: extended, rotationLabels: rotationBlockLabels(k), k };
}

/** Asserts a loss weight is finite and non-negative (config validation owns user-facing checks). */
function checkWeight(weight: number, name: string): void {
  invariant(Number.isFinite(weight) && weight >= 0, `${name} must be a finite number ≥ 0, got ${weight}`);
}

/** adversarial + weight · rotation, with the parts passed through (see S3ganLoss). */
function weightedSum(adversarial: tf.Scalar, rotation: tf.Scalar, weight: number, name: string): S3ganLoss {
  checkWeight(weight, name);
  const total = tf.tidy(() => tf.add(adversarial, tf.mul(weight, rotation)) as tf.Scalar);
  return { total, adversarial, rotation };
}

/** The S3GAN loss of D or G and its parts. */
export interface S3ganLoss {
  /** The loss to minimize: adversarial + weight · rotation. */
  readonly total: tf.Scalar;
  /** The adversarial term (the input tensor itself, not a copy). */
  readonly adversarial: tf.Scalar;
  /** The unweighted rotation cross-entropy (the input tensor itself, not a copy). */
  readonly rotation: tf.Scalar;
}

/** Inputs of {@link s3ganDiscriminatorLoss}. */
export interface S3ganDiscriminatorLossInputs {
  /** The adversarial loss of the unrotated real and fake batch; its dLoss is used. */
  readonly adversarial: AdversarialLoss;
  /** Rotation loss of the rotated real images. */
  readonly realRotation: RotationLoss;
  /** w_d ≥ 0, default {@link DEFAULT_ROTATION_WEIGHT_D} = 1.0; 0 gives the S2GAN loss. */
  readonly weightD?: number;
}

/**
 * L_D = dLoss + w_d · CE(rotation(rot(x)), r)  (docs/ALGORITHMS.md § S3GAN loss). As in SS-GAN, D learns
 * the rotation task from real images only, so the generator's rotation term pulls fakes toward
 * features that identify the rotation of real images.
 * `total` is new; `adversarial` and `rotation` are the input tensors, so disposing both input and
 * output records is safe (disposal is idempotent).
 */
export function s3ganDiscriminatorLoss(inputs: S3ganDiscriminatorLossInputs): S3ganLoss {
  return weightedSum(inputs.adversarial.dLoss, inputs.realRotation.loss, inputs.weightD ?? DEFAULT_ROTATION_WEIGHT_D, 'weightD');
}

/** Inputs of {@link s3ganGeneratorLoss}. */
export interface S3ganGeneratorLossInputs {
  /** The adversarial loss of the unrotated fake batch; its gLoss is used. */
  readonly adversarial: AdversarialLoss;
  /** Rotation loss of the rotated generated images. */
  readonly fakeRotation: RotationLoss;
  /** w_g ≥ 0, default {@link DEFAULT_ROTATION_WEIGHT_G} = 0.2; 0 gives the S2GAN loss. */
  readonly weightG?: number;
}

/**
 * L_G = gLoss + w_g · CE(rotation(rot(G(z, y'))), r)  (docs/ALGORITHMS.md § S3GAN loss): G is rewarded for
 * images whose rotation D can tell. `total` is new; `adversarial` and `rotation` are the inputs.
 */
export function s3ganGeneratorLoss(inputs: S3ganGeneratorLossInputs): S3ganLoss {
  return weightedSum(inputs.adversarial.gLoss, inputs.fakeRotation.loss, inputs.weightG ?? DEFAULT_ROTATION_WEIGHT_G, 'weightG');
}
