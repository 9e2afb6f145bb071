/**
 * Real batches at the resolution a growing network trains at (docs/ALGORITHMS.md § ProGAN): the
 * data-size batch is average-pooled to the current resolution r; while r fades in with α, it is
 * blended as the generator's output is, lerp(upsample(avgpool(x_r)), x_r, α) (Karras et al. ICLR
 * 2018, Sec. 2); the result is upsampled (nearest) back to the
 * data size, the input shape of D at every growth.
 */
import * as tf from '@tensorflow/tfjs';
import type { Growth } from '../nn/layers/growing-layer.js';
import { downscaleAverage, lerp, upscaleNearest } from '../nn/layers/progan-ops.js';

/** [B, S, S, c] real images → the same batch as seen at `growth`, still [B, S, S, c]. */
export function realsAtGrowth(images: tf.Tensor4D, growth: Growth): tf.Tensor4D {
  const size = images.shape[1];
  if (size % growth.resolution !== 0) throw new Error(`images of ${size} pixels cannot be served at ${growth.resolution}`);
  return tf.tidy(() => {
    let atResolution = downscaleAverage(images, size / growth.resolution);
    if (growth.alpha < 1) atResolution = lerp(upscaleNearest(downscaleAverage(atResolution, 2), 2), atResolution, growth.alpha);
    return upscaleNearest(atResolution, size / growth.resolution);
  });
}
