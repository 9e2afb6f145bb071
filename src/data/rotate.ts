/**
 * Image rotations by multiples of 90° for NHWC batches, the pretext task of rotation pretraining
 * (stage 1) and of the discriminator's self-supervised head (stage 3). tfjs has no rot90, so a
 * rotation is a transpose of the two spatial axes and/or reversals, as in numpy's rot90.
 */
import * as tf from '@tensorflow/tfjs';

/** Number of rotation classes: 0°, 90°, 180°, 270°. */
export const NUM_ROTATIONS = 4;

/**
 * Rotates every image of `images` ([batch, size, size, channels], square) counter-clockwise by
 * k·90°, matching numpy.rot90(image, k) on the (height, width) axes. Returns a new tensor.
 */
export function rot90(images: tf.Tensor4D, k: number): tf.Tensor4D {
  if (!Number.isInteger(k)) throw new Error(`rot90: k must be an integer, got ${k}`);
  const [, height, width] = images.shape;
  if (height !== width) throw new Error(`rot90: images must be square, got ${height}×${width}`);
  const turns = ((k % NUM_ROTATIONS) + NUM_ROTATIONS) % NUM_ROTATIONS;
  return tf.tidy(() => {
    switch (turns) {
      case 0:
        return images.clone();
      case 1:
        return tf.reverse(tf.transpose(images, [0, 2, 1, 3]), 1);
      case 2:
        return tf.reverse(images, [1, 2]);
      default:
        return tf.reverse(tf.transpose(images, [0, 2, 1, 3]), 2);
    }
  });
}

/**
 * Every image at all four rotations: images [4·batch, size, size, channels] in blocks
 * (all at 0°, then all at 90°, …) and rotationLabels [4·batch] int32 (0, 1, 2, 3 per block).
 */
export function allRotations(images: tf.Tensor4D): { images: tf.Tensor4D; rotationLabels: tf.Tensor1D } {
  const batch = images.shape[0];
  return tf.tidy(() => {
    const rotated = [0, 1, 2, 3].map((k) => rot90(images, k));
    const labels = new Int32Array(NUM_ROTATIONS * batch);
    for (let k = 0; k < NUM_ROTATIONS; k++) labels.fill(k, k * batch, (k + 1) * batch);
    return { images: tf.concat(rotated, 0), rotationLabels: tf.tensor1d(labels, 'int32') };
  });
}
