/**
 * DCGAN (Radford et al. 2016, "Unsupervised Representation Learning with Deep Convolutional GANs")
 * in the form of Compare GAN's `architectures/dcgan.py`: the unnormalised baseline against which
 * spectral normalisation is compared. Images are imageSize = 16·m pixels square (16, 32, 48, 64…),
 * 1 or 3 channels; channel counts are multiples of the base width w (Compare GAN: w = 64).
 *
 * Generator: dense z → (s/16)²·8w, batch norm (conditional on y when numClasses > 0), ReLU, then
 * 5×5 stride-2 transposed convs to 4w, 2w and w, each followed by batch norm and ReLU, then a last
 * 5×5 stride-2 transposed conv → channels, tanh (no batch norm on the output, Radford et al. Sec. 3).
 * Discriminator, no spectral normalisation anywhere: 5×5 stride-2 convs w, 2w, 4w, 8w with
 * LeakyReLU 0.2, batch norm after every conv but the first (no BN on the input layer, Radford et al.),
 * then flatten → h [B, (s/16)²·8w] (Compare GAN's dense layer reads the flattened map) and the heads:
 * projection logit (ProjectionHead with spectralNorm off), and plain dense rotation and class heads
 * (Compare GAN's SS-GAN heads follow the discriminator's spectral-norm setting).
 *
 * Labels enter the models as y [B, 1] int32, as in sndcgan.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { NUM_ROTATIONS } from '../../data/rotate.js';
import { ProjectionHead } from '../layers/index.js';
import { DISCRIMINATOR_HEAD_LAYERS } from './discriminator-record.js';
import { apply, checkClassifierClasses, generatorLatent, generatorNorm, initializer, labelInput, type Symbolic } from './common.js';
import type { DiscriminatorOptions, GeneratorOptions } from './sndcgan.js';

/** imageSize / 16, the side of G's first and D's last feature map; throws unless a positive integer. */
function baseSize(imageSize: number): number {
  const base = imageSize / 16;
  if (!(Number.isInteger(base) && base >= 1)) throw new Error(`DCGAN needs imageSize divisible by 16, got ${imageSize}`);
  return base;
}

/**
 * The generator as a LayersModel: inputs [z [B, zDim], y [B, 1] int32] (z only when
 * unconditional) → images [B, imageSize, imageSize, channels] in [−1, 1].
 */
export function dcganGenerator(options: GeneratorOptions): tf.LayersModel {
  const base = baseSize(options.imageSize);
  const { zDim, numClasses, width: w, channels } = options;
  let seed = options.seed;
  const next = () => initializer(seed++);
  const z = tf.input({ shape: [zDim], name: 'z' });
  const y = labelInput(numClasses);
  const norm = generatorNorm(y, numClasses);
  const deconv = (filters: number, name: string, activation?: 'tanh') =>
    tf.layers.conv2dTranspose({ filters, kernelSize: 5, strides: 2, padding: 'same', activation, kernelInitializer: next(), name });

  const latent = generatorLatent(z, y, numClasses, options.classEmbeddingDim ?? 0, options.seed + 1000);
  let x = apply(tf.layers.dense({ units: base * base * 8 * w, kernelInitializer: next(), name: 'g_dense' }), latent);
  x = apply(tf.layers.reshape({ targetShape: [base, base, 8 * w] }), x);
  x = apply(tf.layers.reLU(), norm(x, 'g_bn0'));
  // [B, s/16, s/16, 8w] → [B, s/8, s/8, 4w] → [B, s/4, s/4, 2w] → [B, s/2, s/2, w].
  [4 * w, 2 * w, w].forEach((filters, i) => {
    x = apply(tf.layers.reLU(), norm(apply(deconv(filters, `g_deconv${i + 1}`), x), `g_bn${i + 1}`));
  });
  const out = apply(deconv(channels, 'g_out', 'tanh'), x);
  return tf.model({ inputs: y === undefined ? [z] : [z, y], outputs: out, name: 'generator' });
}

/**
 * The discriminator as a LayersModel: inputs [x [B, s, s, c], y [B, 1] int32] (x only when
 * unconditional) → [logit [B, 1], rotationLogits [B, 4]?, classLogits [B, numClasses]?].
 */
export function dcganDiscriminator(options: DiscriminatorOptions): tf.LayersModel {
  baseSize(options.imageSize);
  const { numClasses, width: w, imageSize, channels } = options;
  let seed = options.seed;
  const next = () => initializer(seed++);
  const input = tf.input({ shape: [imageSize, imageSize, channels], name: 'x' });
  const y = labelInput(numClasses);

  // [B, s, s, c] → [B, s/2, s/2, w] → [B, s/4, s/4, 2w] → [B, s/8, s/8, 4w] → [B, s/16, s/16, 8w].
  let x: Symbolic = input;
  [w, 2 * w, 4 * w, 8 * w].forEach((filters, i) => {
    x = apply(tf.layers.conv2d({ filters, kernelSize: 5, strides: 2, padding: 'same', kernelInitializer: next(), name: `d_conv${i}` }), x);
    if (i > 0) x = apply(tf.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-5, name: `d_bn${i}` }), x);
    x = apply(tf.layers.leakyReLU({ alpha: 0.2 }), x);
  });
  const h = apply(tf.layers.flatten({ name: 'd_flatten' }), x);

  const projection = new ProjectionHead({ numClasses, spectralNorm: false, seed: seed++, name: DISCRIMINATOR_HEAD_LAYERS.logit });
  const outputs = [apply(projection, y === undefined ? h : [h, y])];
  if (options.rotationHead) {
    outputs.push(apply(tf.layers.dense({ units: NUM_ROTATIONS, kernelInitializer: next(), name: DISCRIMINATOR_HEAD_LAYERS.rotationLogits }), h));
  }
  if (options.classifierHead) {
    checkClassifierClasses(numClasses);
    outputs.push(apply(tf.layers.dense({ units: numClasses, kernelInitializer: next(), name: DISCRIMINATOR_HEAD_LAYERS.classLogits }), h));
  }
  return tf.model({ inputs: y === undefined ? [input] : [input, y], outputs, name: 'discriminator' });
}
