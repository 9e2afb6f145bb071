/**
 * The CIFAR-size ResNet GAN of SN-GAN (Miyato et al. 2018, "Spectral Normalization for GANs",
 * Appendix B.4, Table 4) as Compare GAN's `architectures/resnet_cifar.py` builds it, with the
 * conditional additions of sndcgan.ts (conditional batch norm in G, projection in D) and the
 * SS-GAN/S3GAN heads. Images are imageSize = 8·2^k pixels square (8, 16, 32, 64…), 1 or 3 channels.
 *
 * Width: G's blocks have 8w channels and D's 4w, so width 32 is SN-GAN's CIFAR model exactly
 * (256 and 128) and width 4 (32 and 16) a tiny one for tests.
 *
 * Generator: dense z → 4×4×8w, then n = log2(imageSize/4) up-sampling residual blocks
 * (3 at 32 pixels: 4 → 8 → 16 → 32), then BN → ReLU → conv 3×3 → channels → tanh.
 *   block: BN(y) → ReLU → up 2× (nearest) → conv 3×3 → BN(y) → ReLU → conv 3×3,
 *          plus the shortcut up 2× → conv 1×1.
 * Discriminator (every conv and head spectrally normalised), all blocks 4w wide:
 *   block 1 "optimized" (no pre-activation on the image): conv 3×3 → ReLU → conv 3×3 → avg-pool 2×2,
 *          plus the shortcut avg-pool 2×2 → conv 1×1;
 *   down blocks: ReLU → conv 3×3 → ReLU → conv 3×3 → avg-pool, plus conv 1×1 → avg-pool;
 *   then two blocks without down-sampling and with identity shortcuts;
 *   then ReLU, global sum pooling → h [B, 4w] and the heads of sndcgan.ts.
 * Down-sampling stops at 8×8 (32 pixels: 32 → 16 → 8, as SN-GAN); an 8-pixel input still takes
 * the optimized block's single down-sampling to 4×4.
 *
 * Labels enter the models as y [B, 1] int32, as in sndcgan.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { GlobalSumPooling2D, SNConv2D } from '../layers/index.js';
import { apply, generatorLatent, generatorNorm, initializer, labelInput, spectralHeads, type Symbolic } from './common.js';
import type { DiscriminatorOptions, GeneratorOptions } from './sndcgan.js';

/** log2(imageSize / 8) for imageSize = 8·2^k; throws otherwise. */
function sizeExponent(imageSize: number): number {
  const k = Math.log2(imageSize / 8);
  if (!(Number.isInteger(k) && k >= 0)) throw new Error(`ResNet needs imageSize = 8·2^k (8, 16, 32, …), got ${imageSize}`);
  return k;
}

function relu(x: Symbolic): Symbolic {
  return apply(tf.layers.reLU(), x);
}

/**
 * The generator as a LayersModel: inputs [z [B, zDim], y [B, 1] int32] (z only when
 * unconditional) → images [B, imageSize, imageSize, channels] in [−1, 1].
 */
export function resnetGenerator(options: GeneratorOptions): tf.LayersModel {
  const blocks = sizeExponent(options.imageSize) + 1;
  const { zDim, numClasses, width, channels } = options;
  const ch = 8 * width;
  let seed = options.seed;
  const next = () => initializer(seed++);
  const z = tf.input({ shape: [zDim], name: 'z' });
  const y = labelInput(numClasses);
  const norm = generatorNorm(y, numClasses);
  const conv = (x: Symbolic, kernelSize: number, name: string): Symbolic =>
    apply(tf.layers.conv2d({ filters: ch, kernelSize, padding: 'same', kernelInitializer: next(), name }), x);
  const up = (x: Symbolic, name: string): Symbolic => apply(tf.layers.upSampling2d({ size: [2, 2], name }), x);

  // [B, s, s, 8w] → [B, 2s, 2s, 8w] (SN-GAN Table 4, "ResBlock up").
  const upBlock = (x: Symbolic, name: string): Symbolic => {
    let h = relu(norm(x, `${name}_bn1`));
    h = conv(up(h, `${name}_up`), 3, `${name}_conv1`);
    h = conv(relu(norm(h, `${name}_bn2`)), 3, `${name}_conv2`);
    const shortcut = conv(up(x, `${name}_shortcut_up`), 1, `${name}_shortcut`);
    return apply(tf.layers.add({ name: `${name}_add` }), [h, shortcut]);
  };

  const latent = generatorLatent(z, y, numClasses, options.classEmbeddingDim ?? 0, options.seed + 1000);
  let x = apply(tf.layers.dense({ units: 4 * 4 * ch, kernelInitializer: next(), name: 'g_dense' }), latent);
  x = apply(tf.layers.reshape({ targetShape: [4, 4, ch] }), x);
  for (let i = 1; i <= blocks; i++) x = upBlock(x, `g_block${i}`);
  x = relu(norm(x, 'g_bn_out'));
  const out = apply(
    tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: next(), name: 'g_out' }),
    x,
  );
  return tf.model({ inputs: y === undefined ? [z] : [z, y], outputs: out, name: 'generator' });
}

/**
 * The discriminator as a LayersModel: inputs [x [B, s, s, c], y [B, 1] int32] (x only when
 * unconditional) → [logit [B, 1], rotationLogits [B, 4]?, classLogits [B, numClasses]?].
 */
export function resnetDiscriminator(options: DiscriminatorOptions): tf.LayersModel {
  const downBlocks = Math.max(1, sizeExponent(options.imageSize));
  const { numClasses, width, imageSize, channels } = options;
  const ch = 4 * width;
  let seed = options.seed;
  const input = tf.input({ shape: [imageSize, imageSize, channels], name: 'x' });
  const y = labelInput(numClasses);
  const conv = (x: Symbolic, kernelSize: number, name: string): Symbolic =>
    apply(new SNConv2D({ filters: ch, kernelSize, padding: 'same', seed: seed++, name }), x);
  const pool = (x: Symbolic, name: string): Symbolic => apply(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name }), x);
  const add = (a: Symbolic, b: Symbolic, name: string): Symbolic => apply(tf.layers.add({ name }), [a, b]);

  // [B, s, s, c] → [B, s/2, s/2, 4w]: the image itself is not passed through a ReLU (SN-GAN's
  // OptimizedBlock), and the shortcut pools before its 1×1 conv.
  const optimizedBlock = (x: Symbolic, name: string): Symbolic => {
    const h = pool(conv(relu(conv(x, 3, `${name}_conv1`)), 3, `${name}_conv2`), `${name}_pool`);
    return add(h, conv(pool(x, `${name}_shortcut_pool`), 1, `${name}_shortcut`), `${name}_add`);
  };
  // [B, s, s, 4w] → [B, s/2, s/2, 4w] with down-sampling, [B, s, s, 4w] with an identity shortcut without.
  const block = (x: Symbolic, down: boolean, name: string): Symbolic => {
    let h = conv(relu(conv(relu(x), 3, `${name}_conv1`)), 3, `${name}_conv2`);
    if (!down) return add(h, x, `${name}_add`);
    h = pool(h, `${name}_pool`);
    return add(h, pool(conv(x, 1, `${name}_shortcut`), `${name}_shortcut_pool`), `${name}_add`);
  };

  let x = optimizedBlock(input, 'd_block1');
  let index = 2;
  for (; index <= downBlocks; index++) x = block(x, true, `d_block${index}`);
  x = block(x, false, `d_block${index++}`);
  x = block(x, false, `d_block${index}`);
  const h = apply(new GlobalSumPooling2D({ name: 'd_sum_pool' }), relu(x));

  const outputs = spectralHeads(h, y, options, () => seed++);
  return tf.model({ inputs: y === undefined ? [input] : [input, y], outputs, name: 'discriminator' });
}
