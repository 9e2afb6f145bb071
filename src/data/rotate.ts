/**
 * Image rotations by multiples of 90° for NHWC batches, the pretext task of rotation pretraining
 * (stage 1) and of the discriminator's self-supervised head (stage 3). tfjs has no rot90, so a
 * single rotation is a transpose of the two spatial axes and/or reversals, as in numpy's rot90,
 * and a batch of rotated copies is one gather of pixels (one kernel call, whatever the count).
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

/** One image of a gathered batch: which input image, turned by how many quarter turns (0–3). */
export interface RotatedPick {
  readonly image: number;
  readonly turns: number;
}

/**
 * For every picked image and output pixel (i, j), the row of its source pixel in the input viewed
 * as [batch·size·size, channels] (numpy.rot90 on (height, width), counter-clockwise):
 *   0 turns (i, j) · 1 turn (j, s−1−i) · 2 turns (s−1−i, s−1−j) · 3 turns (s−1−j, i).
 */
function sourcePixels(size: number, picks: readonly RotatedPick[]): Int32Array {
  const pixels = size * size;
  const rows = new Int32Array(picks.length * pixels);
  const last = size - 1;
  let out = 0;
  for (const { image, turns } of picks) {
    const base = image * pixels;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let row: number, col: number;
        if (turns === 0) [row, col] = [i, j];
        else if (turns === 1) [row, col] = [j, last - i];
        else if (turns === 2) [row, col] = [last - i, last - j];
        else [row, col] = [last - j, i];
        rows[out++] = base + row * size + col;
      }
    }
  }
  return rows;
}

/**
 * The picked images of `images` ([batch, size, size, channels], square), each turned
 * counter-clockwise by its quarter turns: [picks.length, size, size, channels], made by one gather
 * (its gradient is one segment sum), so any mix of copies and rotations costs the same few calls.
 */
export function gatherRotated(images: tf.Tensor4D, picks: readonly RotatedPick[]): tf.Tensor4D {
  const [batch, height, width, channels] = images.shape;
  if (height !== width) throw new Error(`gatherRotated: images must be square, got ${height}×${width}`);
  for (const { image, turns } of picks) {
    if (!(Number.isInteger(image) && image >= 0 && image < batch && Number.isInteger(turns) && turns >= 0 && turns < NUM_ROTATIONS)) {
      throw new Error(`gatherRotated: pick {image ${image}, turns ${turns}} is outside ${batch} images × ${NUM_ROTATIONS} rotations`);
    }
  }
  return tf.tidy(() => {
    const pixels = tf.reshape(images, [batch * height * width, channels]);
    const rows = tf.tensor1d(sourcePixels(height, picks), 'int32');
    return tf.reshape(tf.gather(pixels, rows), [picks.length, height, width, channels]);
  });
}

/** Labels 0, 1, 2, 3 in blocks of `count`: [4·count] int32. */
export function rotationBlockLabels(count: number): tf.Tensor1D {
  const labels = new Int32Array(NUM_ROTATIONS * count);
  for (let k = 0; k < NUM_ROTATIONS; k++) labels.fill(k, k * count, (k + 1) * count);
  return tf.tensor1d(labels, 'int32');
}

/** The picks of images first..first+count−1 at 0°, then all at 90°, 180° and 270°. */
export function rotationBlocks(first: number, count: number): RotatedPick[] {
  const picks: RotatedPick[] = [];
  for (let turns = 0; turns < NUM_ROTATIONS; turns++) {
    for (let b = 0; b < count; b++) picks.push({ image: first + b, turns });
  }
  return picks;
}

/**
 * Every image at all four rotations: images [4·batch, size, size, channels] in blocks
 * (all at 0°, then all at 90°, …) and rotationLabels [4·batch] int32 (0, 1, 2, 3 per block).
 */
export function allRotations(images: tf.Tensor4D): { images: tf.Tensor4D; rotationLabels: tf.Tensor1D } {
  const batch = images.shape[0];
  return { images: gatherRotated(images, rotationBlocks(0, batch)), rotationLabels: rotationBlockLabels(batch) };
}
