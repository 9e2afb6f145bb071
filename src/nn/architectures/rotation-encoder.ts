/**
 * The rotation-prediction network of stage 1 (RotNet: Gidaris, Singh & Komodakis, "Unsupervised
 * Representation Learning by Predicting Image Rotations", ICLR 2018): a convolutional encoder with
 * batch norm and no spectral norm (it is a classifier, not a critic), global average pooling and a
 * linear head → 4 rotation logits.
 *
 * Four blocks with c_k = w, 2w, 4w, 8w channels; blocks 1–3 start by halving the resolution with a
 * stride-2 convolution (32 px: 32 → 16 → 8 → 4).
 *   convnet: block = conv 3×3 → BN → ReLU → conv 3×3 → BN → ReLU, the first conv carrying the
 *            stride (RotNet's CIFAR-10 networks use NIN blocks of three convs; two keep this small).
 *   resnet:  a 3×3 stem conv (w channels), then one pre-activation residual unit per block
 *            (He et al., "Identity Mappings in Deep Residual Networks", ECCV 2016):
 *            BN → ReLU → conv 3×3 (stride) → BN → ReLU → conv 3×3, plus the identity, or a 1×1
 *            (strided) conv where the shape changes; the head reads BN → ReLU of the last block.
 *
 * Outputs, in order (ENCODER_OUTPUTS): rotationLogits [B, 4], then the globally average-pooled
 * output of block 0..3, [B, c_k]. RotNet's Table 1 finds the middle blocks' features best for
 * downstream classifiers, so stage 2 reads any block rather than only the last one.
 *
 * Every layer is named, so a checkpoint loads by weight name into a freshly built encoder, and a
 * saved one names only built-in layers (the batch norm trains through a fused kernel but saves as
 * tfjs-layers' own), so plain `tf.loadLayersModel` reads it.
 */
import * as tf from '@tensorflow/tfjs';
import { NUM_ROTATIONS } from '../../data/rotate.js';
import { invariant } from '../../util/errors.js';
import { fusedBatchNormalization } from '../layers/fused-batch-norm.js';
import { seededNormal } from '../layers/init.js';
import { apply, type Symbolic } from './common.js';

export const ENCODER_ARCHITECTURES = ['convnet', 'resnet'] as const;
export type EncoderArchitecture = (typeof ENCODER_ARCHITECTURES)[number];

/** Blocks of the encoder; their pooled outputs are model outputs 1..ENCODER_BLOCKS. */
export const ENCODER_BLOCKS = 4;

/** Names of the model's outputs, in order. */
export const ENCODER_OUTPUTS = ['rotationLogits', 'block0', 'block1', 'block2', 'block3'] as const;

export interface RotationEncoderOptions {
  readonly architecture: EncoderArchitecture;
  /** Base width w: the blocks have w, 2w, 4w, 8w channels. */
  readonly width: number;
  /** Input side in pixels (square), ≥ 8 so that three halvings leave at least 1×1. */
  readonly imageSize: number;
  /** Input channels: 1 or 3. */
  readonly channels: 1 | 3;
  /** Seed of the initialisers (each layer takes seed, seed + 1, …). */
  readonly seed: number;
}

/** Channels of block k: w · 2^k (w, 2w, 4w, 8w). */
export function blockChannels(width: number): number[] {
  return Array.from({ length: ENCODER_BLOCKS }, (_, k) => width * 2 ** k);
}

/** The model's outputs split by meaning. */
export interface EncoderOutputs {
  /** [B, 4] logits over 0°, 90°, 180°, 270°. */
  readonly rotationLogits: tf.Tensor2D;
  /** Pooled features of block 0..3, [B, c_k]. */
  readonly blockFeatures: tf.Tensor2D[];
}

/** Names the outputs of `encoder.apply`/`predict` (the tensors themselves, not copies). */
export function splitEncoderOutputs(outputs: tf.Tensor | tf.Tensor[]): EncoderOutputs {
  invariant(Array.isArray(outputs) && outputs.length === ENCODER_OUTPUTS.length, `a rotation encoder has ${ENCODER_OUTPUTS.length} outputs`);
  const [rotationLogits, ...blockFeatures] = outputs as tf.Tensor2D[];
  return { rotationLogits, blockFeatures };
}

/**
 * He initialisation N(0, 2/fan_in) for layers followed by ReLU (He et al., ICCV 2015), through
 * seededNormal so that seed 0 is reproducible too.
 */
function heNormal(fanIn: number, seed: number): ReturnType<typeof seededNormal> {
  return seededNormal(Math.sqrt(2 / fanIn), seed);
}

/** Builds the encoder: x [B, s, s, c] in [−1, 1] → [rotationLogits [B, 4], pooled block 0..3 [B, c_k]]. */
export function buildRotationEncoder(options: RotationEncoderOptions): tf.LayersModel {
  const { architecture, width, imageSize, channels } = options;
  invariant(Number.isInteger(width) && width >= 1, `width must be a positive integer, got ${width}`);
  invariant(Number.isInteger(imageSize) && imageSize >= 8, `imageSize must be an integer ≥ 8, got ${imageSize}`);
  let seed = options.seed;
  const input = tf.input({ shape: [imageSize, imageSize, channels], name: 'x' });
  // Biases are left out where batch norm follows: its β takes their place.
  const conv = (x: Symbolic, filters: number, kernelSize: number, strides: number, name: string): Symbolic => {
    const fanIn = kernelSize * kernelSize * (x.shape[3] as number);
    return apply(
      tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: heNormal(fanIn, seed++), name }),
      x,
    );
  };
  // Momentum 0.9 (PyTorch's 0.1, tfjs defaults to 0.99): the moving statistics that inference
  // mode (held-out score, stage 2's features) uses catch up with the weights within tens of steps.
  const bn = (x: Symbolic, name: string): Symbolic => apply(fusedBatchNormalization({ momentum: 0.9, epsilon: 1e-5, name }), x);
  const relu = (x: Symbolic, name: string): Symbolic => apply(tf.layers.reLU({ name }), x);
  const pool = (x: Symbolic, name: string): Symbolic => apply(tf.layers.globalAveragePooling2d({ name }), x);

  const channelsOf = blockChannels(width);
  const blockOutputs: Symbolic[] = [];
  let headInput: Symbolic;
  if (architecture === 'convnet') {
    let x = input;
    channelsOf.forEach((c, k) => {
      const name = `enc_block${k}`;
      x = relu(bn(conv(x, c, 3, k === 0 ? 1 : 2, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`);
      x = relu(bn(conv(x, c, 3, 1, `${name}_conv2`), `${name}_bn2`), `${name}_relu2`);
      blockOutputs.push(x);
    });
    headInput = blockOutputs[ENCODER_BLOCKS - 1];
  } else {
    let x = conv(input, width, 3, 1, 'enc_stem');
    channelsOf.forEach((c, k) => {
      const name = `enc_block${k}`;
      const strides = k === 0 ? 1 : 2;
      const pre = relu(bn(x, `${name}_bn1`), `${name}_relu1`);
      let h = conv(pre, c, 3, strides, `${name}_conv1`);
      h = conv(relu(bn(h, `${name}_bn2`), `${name}_relu2`), c, 3, 1, `${name}_conv2`);
      // Where the shape changes, the projection reads the pre-activated input, as in the authors' code.
      const shortcut = strides === 1 && x.shape[3] === c ? x : conv(pre, c, 1, strides, `${name}_shortcut`);
      x = apply(tf.layers.add({ name: `${name}_add` }), [h, shortcut]);
      blockOutputs.push(x);
    });
    headInput = relu(bn(x, 'enc_bn_out'), 'enc_relu_out');
  }
  const pooled = blockOutputs.map((x, k) => pool(x, `enc_block${k}_pool`));
  const h = architecture === 'convnet' ? pooled[ENCODER_BLOCKS - 1] : pool(headInput, 'enc_head_pool');
  const fanIn = channelsOf[ENCODER_BLOCKS - 1];
  const logits = apply(
    tf.layers.dense({ units: NUM_ROTATIONS, kernelInitializer: seededNormal(Math.sqrt(1 / fanIn), seed++), name: 'enc_rotation' }),
    h,
  );
  return tf.model({ inputs: input, outputs: [logits, ...pooled], name: 'rotation_encoder' });
}
