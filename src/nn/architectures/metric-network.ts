/**
 * MvM's metric network F (Dai & Hang, ICCV 2021; ML64 in the reference's model.py): 4×4 stride-2
 * convs, channels w, 2w, 4w, … doubling, each followed by LeakyReLU 0.2, with no normalisation, then
 * flatten and a dense map to the embedding [B, embeddingSize]. The reference stops at a 2×2 map and
 * max-pools it; here the 2×2 map is flattened (as DCGAN's D does), which keeps the position of
 * what it saw. The convs use 'same' padding, so side s becomes ⌈s/2⌉: 28 → 14 → 7 → 4 → 2 and
 * 32 → 16 → 8 → 4 → 2 both take four convs, 64 takes five as in the reference.
 * Images are those the other networks read (NHWC in [−1, 1], MNIST padded or resized to imageSize
 * by data/transforms.ts); any side ≥ 3 works.
 * With classes (the conditional MvM, docs/ALGORITHMS.md § MvM), F embeds the pair (image, label): a
 * learned class map e(y) [s, s, 1] (an embedding of the label, one value per pixel) is concatenated
 * to the image as an extra input channel, so that the embedding is of the joint (image, class) manifold.
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../util/errors.js';
import { apply, initializer, labelInput, type Symbolic } from './common.js';

/** Embedding size of the reference at 64 px (train.py `--out_dim`). */
export const DEFAULT_METRIC_EMBEDDING_SIZE = 10;
/** Base width of the reference's ML64 (dim = 32). */
export const DEFAULT_METRIC_WIDTH = 32;
/** Side of the last feature map, where the convs stop. */
const LAST_SIDE = 2;

export interface MetricNetworkOptions {
  /** Input side in pixels (≥ 3). */
  readonly imageSize: number;
  /** Input channels: 1 or 3. */
  readonly channels: 1 | 3;
  /** Channels of the first conv, doubled by each further conv. */
  readonly width: number;
  /** Size E of the embedding. */
  readonly embeddingSize: number;
  /** Seed of the N(0, 0.02²) initialisers (one per layer, counting up). */
  readonly seed: number;
  /** Classes of the label input y [B, 1] int32 (0 or absent: F reads images alone). */
  readonly numClasses?: number;
}

/** Number of stride-2 'same' convs that bring `imageSize` down to LAST_SIDE. */
export function metricConvCount(imageSize: number): number {
  let side = imageSize;
  let count = 0;
  while (side > LAST_SIDE) {
    side = Math.ceil(side / 2);
    count++;
  }
  return count;
}

/**
 * The metric network as a LayersModel: x [B, imageSize, imageSize, channels] (and y [B, 1] int32
 * when numClasses > 0) → embedding [B, E]. Layers are named m_conv0…, m_flatten, m_embedding (and
 * m_class_map, m_class_map_reshape, m_with_class when conditional).
 */
export function metricNetwork(options: MetricNetworkOptions): tf.LayersModel {
  const { imageSize, channels, width, embeddingSize } = options;
  invariant(Number.isInteger(imageSize) && imageSize >= 3, `the metric network needs imageSize >= 3, got ${imageSize}`);
  invariant(Number.isInteger(width) && width > 0, `width must be a positive integer, got ${width}`);
  invariant(Number.isInteger(embeddingSize) && embeddingSize > 0, `embeddingSize must be a positive integer, got ${embeddingSize}`);
  let seed = options.seed;
  const next = () => initializer(seed++);
  const input = tf.input({ shape: [imageSize, imageSize, channels], name: 'x' });
  const y = labelInput(options.numClasses ?? 0);
  let x: Symbolic = input;
  if (y !== undefined) {
    const classMap = apply(tf.layers.embedding({ inputDim: options.numClasses!, outputDim: imageSize * imageSize, embeddingsInitializer: next(), name: 'm_class_map' }), y);
    const asChannel = apply(tf.layers.reshape({ targetShape: [imageSize, imageSize, 1], name: 'm_class_map_reshape' }), classMap);
    x = apply(tf.layers.concatenate({ axis: -1, name: 'm_with_class' }), [input, asChannel]);
  }
  for (let i = 0; i < metricConvCount(imageSize); i++) {
    const conv = tf.layers.conv2d({ filters: width * 2 ** i, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: next(), name: `m_conv${i}` });
    x = apply(tf.layers.leakyReLU({ alpha: 0.2, name: `m_lrelu${i}` }), apply(conv, x));
  }
  const h = apply(tf.layers.flatten({ name: 'm_flatten' }), x);
  const embedding = apply(tf.layers.dense({ units: embeddingSize, kernelInitializer: next(), name: 'm_embedding' }), h);
  return tf.model({ inputs: y === undefined ? input : [input, y], outputs: embedding, name: 'metric' });
}
