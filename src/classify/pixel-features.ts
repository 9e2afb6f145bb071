/**
 * Raw pixels as features: the baseline of stage 2's report (the same linear classifier on pixel
 * values instead of encoder features), which shows what rotation pretraining buys.
 */
import type { ImageSplit } from '../data/types.js';
import type { FeatureMatrix } from '../metrics/feature-matrix.js';

/** Pixels of the images `indices` of `split`, flattened to [indices.length, h·w·c] in [0, 1]. */
export function pixelFeatures(split: ImageSplit, indices: ArrayLike<number>): FeatureMatrix {
  const [, height, width, channels] = split.shape;
  const cols = height * width * channels;
  const data = new Float64Array(indices.length * cols);
  for (let k = 0; k < indices.length; k++) {
    const start = indices[k] * cols;
    for (let j = 0; j < cols; j++) data[k * cols + j] = split.images[start + j] / 255;
  }
  return { rows: indices.length, cols, data };
}
