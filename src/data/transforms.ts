/**
 * From stored uint8 pixels to what the networks read: float32 in [-1, 1] (the generator's tanh
 * range) at the network's resolution. Smaller images (MNIST's 28×28) reach it by zero padding,
 * which keeps stroke widths, or by bilinear resizing.
 */
import * as tf from '@tensorflow/tfjs';

export type FitMode = 'pad' | 'resize';

/** uint8 0..255 → float32 −1..1: x / 127.5 − 1. */
export function scaleToSymmetric(pixels: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.div(tf.cast(pixels, 'float32'), 127.5), 1));
}

/** float32 −1..1 → uint8 0..255 (rounded, clipped), for writing images. */
export function symmetricToPixels(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.cast(tf.round(tf.clipByValue(tf.mul(tf.add(images, 1), 127.5), 0, 255)), 'int32') as tf.Tensor4D);
}

/**
 * Brings [batch, h, w, c] images in [−1, 1] to [batch, size, size, c]. 'pad' adds the background
 * value −1 (black, pixel 0) evenly around (the extra pixel of an odd difference goes after);
 * 'resize' is bilinear. Images already of that size are returned as a copy.
 */
export function fitToSize(images: tf.Tensor4D, size: number, mode: FitMode): tf.Tensor4D {
  const [, height, width] = images.shape;
  if (height === size && width === size) return images.clone();
  return tf.tidy(() => {
    if (mode === 'resize' || height > size || width > size) return tf.image.resizeBilinear(images, [size, size]);
    const top = Math.floor((size - height) / 2);
    const left = Math.floor((size - width) / 2);
    return tf.pad(images, [[0, 0], [top, size - height - top], [left, size - width - left], [0, 0]], -1);
  });
}
