/**
 * Runs extractors over many images in chunks: each chunk of images is made, read by every extractor
 * and released before the next, and only the float64 rows stay, so memory does not grow with the
 * number of images beyond the rows themselves (10,000 × 128 features are 10 MB).
 */
import * as tf from '@tensorflow/tfjs';
import { featureMatrix, type FeatureMatrix } from '../metrics/feature-matrix.js';
import type { FeatureExtractor } from './extractor.js';

/** Images per chunk: a few MB of activations at 32×32, and few enough calls to amortise overhead. */
export const READOUT_CHUNK = 250;

/** What one extractor read from all images. */
export interface Readout {
  /** [n, featureDim]. */
  readonly features: FeatureMatrix;
  /** [n, numClasses] when the extractor gives logits. */
  readonly logits?: FeatureMatrix;
}

/**
 * Reads `count` images, made chunk by chunk by `makeChunk(start, n)` ([n, size, size, c] in
 * [−1, 1]; disposed here), with every extractor of `extractors`; one Readout per extractor.
 * `onChunk` is told the images done so far.
 */
export async function readImages(
  count: number,
  makeChunk: (start: number, n: number) => tf.Tensor4D | Promise<tf.Tensor4D>,
  extractors: readonly FeatureExtractor[],
  onChunk?: (done: number) => void,
): Promise<Readout[]> {
  const features = extractors.map((e) => new Float64Array(count * e.description.featureDim));
  const logits = extractors.map((e) => (e.numClasses > 0 ? new Float64Array(count * e.numClasses) : undefined));
  for (let start = 0; start < count; start += READOUT_CHUNK) {
    const n = Math.min(READOUT_CHUNK, count - start);
    const images = await makeChunk(start, n);
    try {
      for (const [k, extractor] of extractors.entries()) {
        const out = tf.tidy(() => extractor.apply(images));
        try {
          features[k].set(await out.features.data(), start * extractor.description.featureDim);
          if (logits[k] !== undefined && out.logits !== undefined) logits[k].set(await out.logits.data(), start * extractor.numClasses);
        } finally {
          tf.dispose([out.features, ...(out.logits === undefined ? [] : [out.logits])]);
        }
      }
    } finally {
      images.dispose();
    }
    onChunk?.(start + n);
  }
  return extractors.map((extractor, k) => ({
    features: featureMatrix(features[k], count, extractor.description.featureDim),
    ...(logits[k] === undefined ? {} : { logits: featureMatrix(logits[k], count, extractor.numClasses) }),
  }));
}
