/**
 * ProGAN's generator (Karras et al. ICLR 2018, Sec. 2–4 and Table 2; docs/ALGORITHMS.md § ProGAN),
 * every block in one layer that runs those the growth asks for:
 *   latent [B, L] → pixel norm → dense (4·4·nf(4), gain √2/4) → 4×4 map → conv 3×3 → toRGB₄
 *   each resolution r = 8 … S: nearest ×2 upsampling, conv 3×3, conv 3×3 → toRGB_r (1×1, gain 1)
 * with LeakyReLU 0.2 and pixel norm after every conv, equalized lr on every weight. At resolution r
 * fading in with α the image is lerp(upsample(toRGB_{r/2}(h_{r/2})), toRGB_r(h_r), α). The output is
 * upsampled (nearest) to the data size S, so G's output shape does not change as it grows:
 *   latent [B, L] → images [B, S, S, channels] (linear output, as in the paper: no tanh)
 */
import * as tf from '@tensorflow/tfjs';
import { BASE_RESOLUTION, GrowingLayer, type GrowingLayerOptions } from './growing-layer.js';
import { equalizedConv, equalizedDense, lerp, pixelNorm, proganLeaky, upscaleNearest } from './progan-ops.js';

interface Conv {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable;
}

export class ProGanGeneratorBody extends GrowingLayer {
  static className = 'ProGanGeneratorBody';
  private dense!: Conv;
  private base!: Conv;
  /** Per resolution from 8: the two 3×3 convs. */
  private readonly blocks = new Map<number, [Conv, Conv]>();
  /** Per resolution: the 1×1 conv to image channels. */
  private readonly toRgb = new Map<number, Conv>();

  constructor(args: GrowingLayerOptions) {
    super(args);
  }

  private conv(name: string, size: number, inChannels: number, outChannels: number): Conv {
    return { kernel: this.normalWeight(`${name}/kernel`, [size, size, inChannels, outChannels]), bias: this.zeroWeight(`${name}/bias`, [outChannels]) };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const latent = (inputShape as tf.Shape)[1];
    if (latent === null) throw new Error(`${this.name}: the latent dimension must be known`);
    const base = this.nf(BASE_RESOLUTION);
    this.dense = { kernel: this.normalWeight('dense/kernel', [latent, 16 * base]), bias: this.zeroWeight('dense/bias', [16 * base]) };
    this.base = this.conv('conv4', 3, base, base);
    this.toRgb.set(BASE_RESOLUTION, this.conv('to_rgb4', 1, base, this.channels));
    for (const r of this.resolutions.slice(1)) {
      this.blocks.set(r, [this.conv(`conv${r}_0`, 3, this.nf(r / 2), this.nf(r)), this.conv(`conv${r}_1`, 3, this.nf(r), this.nf(r))]);
      this.toRgb.set(r, this.conv(`to_rgb${r}`, 1, this.nf(r), this.channels));
    }
    this.addGrowth();
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0], this.imageSize, this.imageSize, this.channels];
  }

  /** conv → LeakyReLU → pixel norm. */
  private convBlock(x: tf.Tensor4D, conv: Conv): tf.Tensor4D {
    return pixelNorm(proganLeaky(equalizedConv(x, conv.kernel.read() as tf.Tensor4D, conv.bias.read() as tf.Tensor1D)));
  }

  private rgb(x: tf.Tensor4D, resolution: number): tf.Tensor4D {
    const conv = this.toRgb.get(resolution)!;
    return equalizedConv(x, conv.kernel.read() as tf.Tensor4D, conv.bias.read() as tf.Tensor1D, 1);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const latent = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const { resolution, alpha } = this.activeGrowth();
      const batch = latent.shape[0];
      // 1. The 4×4 block: normalised latent → dense, read as a 4×4 map (gain √2/4: docs/ALGORITHMS.md § ProGAN).
      const base = this.nf(BASE_RESOLUTION);
      const dense = equalizedDense(pixelNorm(latent), this.dense.kernel.read() as tf.Tensor2D, this.dense.bias.read() as tf.Tensor1D, Math.SQRT2 / 4);
      let x = pixelNorm(proganLeaky(tf.reshape(dense, [batch, BASE_RESOLUTION, BASE_RESOLUTION, base]) as tf.Tensor4D));
      x = this.convBlock(x, this.base);
      // 2. The blocks up to the current resolution, keeping the one before for the fade-in.
      let previous = x;
      for (let r = 2 * BASE_RESOLUTION; r <= resolution; r *= 2) {
        previous = x;
        const [conv0, conv1] = this.blocks.get(r)!;
        x = this.convBlock(this.convBlock(upscaleNearest(x, 2), conv0), conv1);
      }
      // 3. The image at the current resolution, faded in against the upsampled previous one (Sec. 2, Fig. 2).
      let image = this.rgb(x, resolution);
      if (alpha < 1) image = lerp(upscaleNearest(this.rgb(previous, resolution / 2), 2), image, alpha);
      // 4. Nearest upsampling to the data size: G's output shape is the same at every growth.
      return upscaleNearest(image, this.imageSize / resolution);
    });
  }
}

tf.serialization.registerClass(ProGanGeneratorBody);
