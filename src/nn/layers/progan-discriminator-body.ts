/**
 * ProGAN's discriminator (Karras et al. ICLR 2018, Sec. 2–4 and Table 2; docs/ALGORITHMS.md
 * § ProGAN) up to its pooled features, every block in one layer that runs those the growth asks for:
 *   images [B, S, S, c] → average-pool to the current resolution r → fromRGB_r (1×1) → LeakyReLU
 *   each resolution r … 8: conv 3×3, conv 3×3, average-pool ×2
 *   4×4: minibatch standard deviation (+1 channel), conv 3×3, dense → h [B, nf(4)]
 * with LeakyReLU 0.2 after every conv and dense, and equalized lr on every weight. At resolution r
 * fading in with α, the features entering the r/2 blocks are
 * lerp(fromRGB_{r/2}(avgpool(x_r)), block_r(fromRGB_r(x_r)), α). The logit head reads h
 * (EqualizedProjectionHead).
 */
import * as tf from '@tensorflow/tfjs';
import { BASE_RESOLUTION, GrowingLayer, type GrowingLayerOptions } from './growing-layer.js';
import { downscaleAverage, equalizedConv, equalizedDense, lerp, minibatchStddev, proganLeaky } from './progan-ops.js';

interface Weights {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable;
}

/** Images per minibatch-stddev group (docs/ALGORITHMS.md § ProGAN). */
export const MINIBATCH_STDDEV_GROUP = 4;

export class ProGanDiscriminatorBody extends GrowingLayer {
  static className = 'ProGanDiscriminatorBody';
  /** Per resolution: the 1×1 conv from image channels. */
  private readonly fromRgb = new Map<number, Weights>();
  /** Per resolution from 8: the two 3×3 convs before the ×2 average pool. */
  private readonly blocks = new Map<number, [Weights, Weights]>();
  private baseConv!: Weights;
  private dense!: Weights;

  constructor(args: GrowingLayerOptions) {
    super(args);
  }

  private conv(name: string, size: number, inChannels: number, outChannels: number): Weights {
    return { kernel: this.normalWeight(`${name}/kernel`, [size, size, inChannels, outChannels]), bias: this.zeroWeight(`${name}/bias`, [outChannels]) };
  }

  override build(): void {
    for (const r of [...this.resolutions].reverse()) {
      this.fromRgb.set(r, this.conv(`from_rgb${r}`, 1, this.channels, this.nf(r)));
      if (r > BASE_RESOLUTION) this.blocks.set(r, [this.conv(`conv${r}_0`, 3, this.nf(r), this.nf(r)), this.conv(`conv${r}_1`, 3, this.nf(r), this.nf(r / 2))]);
    }
    const base = this.nf(BASE_RESOLUTION);
    this.baseConv = this.conv('conv4', 3, base + 1, base);
    this.dense = { kernel: this.normalWeight('dense/kernel', [16 * base, base]), bias: this.zeroWeight('dense/bias', [base]) };
    this.addGrowth();
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0], this.nf(BASE_RESOLUTION)];
  }

  private convLeaky(x: tf.Tensor4D, weights: Weights): tf.Tensor4D {
    return proganLeaky(equalizedConv(x, weights.kernel.read() as tf.Tensor4D, weights.bias.read() as tf.Tensor1D));
  }

  /** The block at `resolution`: two convs, then average pooling to resolution/2. */
  private block(x: tf.Tensor4D, resolution: number): tf.Tensor4D {
    const [conv0, conv1] = this.blocks.get(resolution)!;
    return downscaleAverage(this.convLeaky(this.convLeaky(x, conv0), conv1), 2);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const images = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (images.shape[1] !== this.imageSize || images.shape[2] !== this.imageSize) {
        throw new Error(`${this.name}: images must be [B, ${this.imageSize}, ${this.imageSize}, c], got [${images.shape}]`);
      }
      const { resolution, alpha } = this.activeGrowth();
      // 1. The images at the current resolution (average pooling undoes G's nearest upsampling exactly).
      const atResolution = downscaleAverage(images, this.imageSize / resolution);
      let x = this.convLeaky(atResolution, this.fromRgb.get(resolution)!);
      // 2. The newest block, faded in against fromRGB of the half-resolution images (Sec. 2, Fig. 2).
      if (resolution > BASE_RESOLUTION) {
        x = this.block(x, resolution);
        if (alpha < 1) x = lerp(this.convLeaky(downscaleAverage(atResolution, 2), this.fromRgb.get(resolution / 2)!), x, alpha);
      }
      // 3. The older blocks down to 4×4.
      for (let r = resolution / 2; r > BASE_RESOLUTION; r /= 2) x = this.block(x, r);
      // 4. Minibatch standard deviation (Sec. 3), conv, dense: the pooled features h.
      x = this.convLeaky(minibatchStddev(x, MINIBATCH_STDDEV_GROUP), this.baseConv);
      const flat = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
      return proganLeaky(equalizedDense(flat, this.dense.kernel.read() as tf.Tensor2D, this.dense.bias.read() as tf.Tensor1D));
    });
  }
}

/** Options of EqualizedProjectionHead. */
export interface EqualizedProjectionHeadOptions {
  name?: string;
  /** Classes of the projection; 0 = unconditional (dense only). */
  numClasses: number;
  seed: number;
}

/**
 * D's logit with equalized lr: h [B, F] (and y [B, 1] int32 when numClasses > 0) → [B, 1] =
 * h·(w·c) + b + ⟨embed[y]·c, h⟩ with c = 1/√F (gain 1, as ProGAN's last dense layer), the
 * projection term of Miyato & Koyama 2018, eq. 3, for the conditional variant.
 */
export class EqualizedProjectionHead extends tf.layers.Layer {
  static className = 'EqualizedProjectionHead';
  private readonly numClasses: number;
  private readonly seed: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  private embed: tf.LayerVariable | undefined;

  constructor(args: EqualizedProjectionHeadOptions) {
    super(args as object);
    this.numClasses = args.numClasses;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const hShape = (this.numClasses > 0 ? (inputShape as tf.Shape[])[0] : inputShape) as tf.Shape;
    const features = hShape[1] as number;
    this.kernel = this.addWeight('kernel', [features, 1], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: this.seed + 1 }));
    this.bias = this.addWeight('bias', [1], 'float32', tf.initializers.zeros());
    if (this.numClasses > 0) this.embed = this.addWeight('embed', [this.numClasses, features], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: this.seed + 2 }));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const hShape = (this.numClasses > 0 ? (inputShape as tf.Shape[])[0] : inputShape) as tf.Shape;
    return [hShape[0], 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const h = list[0] as tf.Tensor2D;
      const logit = equalizedDense(h, this.kernel.read() as tf.Tensor2D, this.bias.read() as tf.Tensor1D, 1);
      if (this.embed === undefined) return logit;
      const y = tf.cast(tf.reshape(list[1], [-1]), 'int32');
      const rows = tf.mul(tf.gather(this.embed.read(), y), 1 / Math.sqrt(h.shape[1]));
      return tf.add(logit, tf.sum(tf.mul(rows, h), 1, true));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numClasses: this.numClasses, seed: this.seed };
  }
}

tf.serialization.registerClass(ProGanDiscriminatorBody);
tf.serialization.registerClass(EqualizedProjectionHead);
