/**
 * The base of ProGAN's growing networks (docs/ALGORITHMS.md § ProGAN): one layer holds every block
 * from 4×4 to the data size and runs those the current growth asks for. The growth, (resolution in
 * pixels, fade-in α), is a non-trainable weight [2] of the layer, so it travels with the weights:
 * checkpoints and exports carry it, G-EMA receives it with G's other non-trainable weights, and a
 * generator loaded from disk draws at the resolution it was saved at.
 */
import * as tf from '@tensorflow/tfjs';
import { seededNormal } from './init.js';

/** Where a growing network stands: it runs blocks up to `resolution`, the newest faded in by `alpha`. */
export interface Growth {
  /** Side in pixels of the newest active block: 4, 8, …, the data size. */
  readonly resolution: number;
  /** Fade-in α in [0, 1]: the newest block's weight against the upsampled previous output (1 = stable). */
  readonly alpha: number;
}

/** Options every growing layer shares. */
export interface GrowingLayerOptions {
  name?: string;
  /** Data size S in pixels: a power of two ≥ 4. */
  imageSize: number;
  /** Image channels: 1 or 3. */
  channels: number;
  /** Base width w: a block at resolution r has w · min(S/r, 8) channels. */
  width: number;
  /** Seed of the N(0, 1) weight draws (one per weight, in order). */
  seed: number;
}

/** The smallest resolution, where growing starts (Karras et al. ICLR 2018, Sec. 2). */
export const BASE_RESOLUTION = 4;
/** Channels stop doubling at 8w, as ProGAN's stop at 512 (Table 2). */
const MAX_WIDTH_MULTIPLE = 8;

/** 4, 8, …, imageSize (throws unless imageSize is a power of two ≥ 4). */
export function growthResolutions(imageSize: number): number[] {
  if (!(Number.isInteger(Math.log2(imageSize)) && imageSize >= BASE_RESOLUTION)) throw new Error(`ProGAN needs an image size that is a power of two ≥ 4, got ${imageSize}`);
  const resolutions = [];
  for (let r = BASE_RESOLUTION; r <= imageSize; r *= 2) resolutions.push(r);
  return resolutions;
}

/** Channels of the block at `resolution`: w · min(S / resolution, 8). */
export function channelsAt(resolution: number, imageSize: number, width: number): number {
  return width * Math.min(imageSize / resolution, MAX_WIDTH_MULTIPLE);
}

export abstract class GrowingLayer extends tf.layers.Layer {
  protected readonly imageSize: number;
  protected readonly channels: number;
  protected readonly width: number;
  protected readonly seed: number;
  protected readonly resolutions: number[];
  private growthWeight!: tf.LayerVariable;
  private nextSeed = 0;

  constructor(args: GrowingLayerOptions) {
    super(args as object);
    this.imageSize = args.imageSize;
    this.channels = args.channels;
    this.width = args.width;
    this.seed = args.seed;
    this.resolutions = growthResolutions(args.imageSize);
  }

  /** Channels of the block at `resolution`. */
  protected nf(resolution: number): number {
    return channelsAt(resolution, this.imageSize, this.width);
  }

  /** A trainable N(0, 1) weight (equalized lr scales it at run time), each with the next seed. */
  protected normalWeight(name: string, shape: number[]): tf.LayerVariable {
    return this.addWeight(name, shape, 'float32', seededNormal(1, this.seed + this.nextSeed++));
  }

  protected zeroWeight(name: string, shape: number[]): tf.LayerVariable {
    return this.addWeight(name, shape, 'float32', tf.initializers.zeros());
  }

  /** Adds the growth weight, starting fully grown (resolution S, α = 1). Call last in build. */
  protected addGrowth(): void {
    this.growthWeight = this.addWeight('growth', [2], 'float32', tf.initializers.constant({ value: 1 }), undefined, false);
    tf.tidy(() => {
      this.growthWeight.write(tf.tensor1d([this.imageSize, 1]));
    });
  }

  /** The current growth, read from the weight. */
  get growth(): Growth {
    const [resolution, alpha] = this.growthWeight.read().dataSync();
    return { resolution, alpha };
  }

  /** Sets the growth (checked: a resolution of this network, α in [0, 1]). */
  set growth(growth: Growth) {
    if (!this.resolutions.includes(growth.resolution)) throw new Error(`${this.name}: resolution ${growth.resolution} is not one of ${this.resolutions.join(', ')}`);
    if (!(growth.alpha >= 0 && growth.alpha <= 1)) throw new Error(`${this.name}: fade-in α must lie in [0, 1], got ${growth.alpha}`);
    tf.tidy(() => {
      this.growthWeight.write(tf.tensor1d([growth.resolution, growth.alpha]));
    });
  }

  /** The growth to run now; a fade-in α only from the second resolution on. */
  protected activeGrowth(): Growth {
    const { resolution, alpha } = this.growth;
    return { resolution, alpha: resolution === BASE_RESOLUTION ? 1 : alpha };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), imageSize: this.imageSize, channels: this.channels, width: this.width, seed: this.seed };
  }
}
