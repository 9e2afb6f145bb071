/**
 * SNDCGAN, the 32-pixel networks of bench-32 (docs/benchmark.md; Miyato et al. 2018, Table 3,
 * with Compare GAN's conditional additions), at base width w, for imageSize = 8·2^k pixels with 1 or
 * 3 channels. Channel counts are multiples of w.
 *
 * Generator: dense z → (s/8)²·8w, then three 4×4 stride-2 transposed convs (4w, 2w, w), each followed
 * by batch norm (conditional on y when numClasses > 0) and ReLU, then a 3×3 conv → channels, tanh.
 * Discriminator: seven spectrally normalised convs (3×3 s1 / 4×4 s2 alternating: w, 2w, 2w, 4w, 4w,
 * 8w, 8w) with LeakyReLU 0.1, global sum pooling → h [B, 8w], then the heads: projection logit,
 * rotation logits (SS-GAN) and, for co-training, class logits.
 *
 * Labels enter the models as y [B, 1] int32 (a [B, 1] input keeps LayersModel.predict usable).
 */
import * as tf from '@tensorflow/tfjs';
import { GlobalSumPooling2D, SNConv2D } from '../layers/index.js';
import { generatorLatent, generatorNorm, initializer, labelInput, spectralHeads } from './common.js';

export interface GeneratorOptions {
  /** Latent dimension of z ~ N(0, I). */
  readonly zDim: number;
  /** Classes for conditional batch norm; 0 = unconditional (plain batch norm). */
  readonly numClasses: number;
  /** Base width w. */
  readonly width: number;
  /** Output side in pixels: 8·2^k (8, 16, 32, 64…); the first feature map is imageSize/8. */
  readonly imageSize: number;
  /** Output channels: 1 or 3. */
  readonly channels: 1 | 3;
  /** Seed of the N(0, 0.02) initialisers. */
  readonly seed: number;
  /** Dimension of a class embedding concatenated to z (conditional only; 0 or absent = none). */
  readonly classEmbeddingDim?: number;
}

export interface DiscriminatorOptions {
  readonly numClasses: number;
  readonly width: number;
  readonly imageSize: number;
  readonly channels: 1 | 3;
  readonly seed: number;
  /** Add the 4-way rotation head (SS-GAN, S3GAN). */
  readonly rotationHead: boolean;
  /** Add the class-logit head of the co-training variants. */
  readonly classifierHead: boolean;
}

function checkSize(imageSize: number): void {
  const base = imageSize / 8;
  if (!(Number.isInteger(base) && base >= 1)) throw new Error(`SNDCGAN needs imageSize divisible by 8, got ${imageSize}`);
}

/**
 * The generator as a LayersModel: inputs [z [B, zDim], y [B, 1] int32] (z only when unconditional)
 * → images [B, imageSize, imageSize, channels] in [−1, 1].
 */
export function sndcganGenerator(options: GeneratorOptions): tf.LayersModel {
  checkSize(options.imageSize);
  const { zDim, numClasses, width: w, imageSize, channels } = options;
  let seed = options.seed;
  const next = () => initializer(seed++);
  const z = tf.input({ shape: [zDim], name: 'z' });
  const y = labelInput(numClasses);
  // Conditional batch norm as in bench-32 (ordinary batch norm when unconditional).
  const norm = generatorNorm(y, numClasses);

  const base = imageSize / 8;
  const latent = generatorLatent(z, y, numClasses, options.classEmbeddingDim ?? 0, options.seed + 1000);
  let x = tf.layers.dense({ units: base * base * 8 * w, kernelInitializer: next(), name: 'g_dense' }).apply(latent) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [base, base, 8 * w] }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(norm(x, 'g_bn0')) as tf.SymbolicTensor;
  [4 * w, 2 * w, w].forEach((filters, i) => {
    const up = tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: next(), name: `g_deconv${i + 1}` });
    x = tf.layers.reLU().apply(norm(up.apply(x) as tf.SymbolicTensor, `g_bn${i + 1}`)) as tf.SymbolicTensor;
  });
  const out = tf.layers
    .conv2d({ filters: channels, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: next(), name: 'g_out' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: y === undefined ? [z] : [z, y], outputs: out, name: 'generator' });
}

/**
 * The discriminator as a LayersModel: inputs [x [B, s, s, c], y [B, 1] int32] (x only when
 * unconditional) → [logit [B, 1], rotationLogits [B, 4]?, classLogits [B, numClasses]?].
 */
export function sndcganDiscriminator(options: DiscriminatorOptions): tf.LayersModel {
  checkSize(options.imageSize);
  const { numClasses, width: w, imageSize, channels } = options;
  let seed = options.seed;
  const input = tf.input({ shape: [imageSize, imageSize, channels], name: 'x' });
  const y = labelInput(numClasses);
  const convs: [number, number, number][] = [
    [w, 3, 1],
    [2 * w, 4, 2],
    [2 * w, 3, 1],
    [4 * w, 4, 2],
    [4 * w, 3, 1],
    [8 * w, 4, 2],
    [8 * w, 3, 1],
  ];
  let x: tf.SymbolicTensor = input;
  convs.forEach(([filters, kernelSize, strides], i) => {
    const conv = new SNConv2D({ filters, kernelSize, strides, padding: 'same', seed: seed++, name: `d_conv${i}` });
    x = tf.layers.leakyReLU({ alpha: 0.1 }).apply(conv.apply(x)) as tf.SymbolicTensor;
  });
  const h = new GlobalSumPooling2D({ name: 'd_sum_pool' }).apply(x) as tf.SymbolicTensor;
  const outputs = spectralHeads(h, y, options, () => seed++);
  return tf.model({ inputs: y === undefined ? [input] : [input, y], outputs, name: 'discriminator' });
}
