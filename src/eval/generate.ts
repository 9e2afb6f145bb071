/**
 * Generated images for evaluation: the generator in inference mode (batch-norm moving statistics)
 * on seeded noise, chunk by chunk, quantised to uint8 like real images. Conditional generators get
 * the classes in turn (image i is class i mod K), so every class has ⌊n/K⌋ or ⌈n/K⌉ images and
 * intra-class FID and CAS see every class, however small n is.
 */
import * as tf from '@tensorflow/tfjs';
import { scaleToSymmetric, symmetricToPixels } from '../data/transforms.js';
import { normalSamples } from '../training/gan/noise.js';
import { UserError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/** Rng stream of evaluation noise (sample grids and training use other streams of the seed). */
export const EVAL_NOISE_STREAM = 9;

/** What the evaluation needs to know of a generator model. */
export interface GeneratorShape {
  /** Dimension of z (its first input [batch, zDim]). */
  readonly zDim: number;
  /** Whether it takes a label input [batch, 1]. */
  readonly conditional: boolean;
  /** Output images [size, size, channels]. */
  readonly imageSize: number;
  readonly channels: number;
}

/** Reads a generator's input and output shapes (models built in nn/architectures or their exports). */
export function generatorShape(generator: tf.LayersModel): GeneratorShape {
  const zDim = generator.inputs[0].shape[1];
  const out = generator.outputs[0].shape;
  if (typeof zDim !== 'number' || out.length !== 4 || typeof out[1] !== 'number' || typeof out[3] !== 'number') {
    throw new UserError(`generator ${generator.name}: expected inputs [batch, zDim] (+ labels) and output [batch, s, s, c], got input [${generator.inputs[0].shape.join(', ')}] and output [${out.join(', ')}]`);
  }
  return { zDim, conditional: generator.inputs.length > 1, imageSize: out[1], channels: out[3] };
}

/** Requested class of each of `count` images: i mod numClasses (zeros when unconditional). */
export function balancedClasses(count: number, numClasses: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => (numClasses > 0 ? i % numClasses : 0));
}

/** A seeded stream of generated images, read in chunks. */
export class GeneratedImages {
  private readonly rng: Rng;
  private readonly shape: GeneratorShape;

  /** `classes`: the requested class of every image the stream will make, in order. */
  constructor(
    private readonly generator: tf.LayersModel,
    readonly classes: Int32Array,
    seed: number,
  ) {
    this.rng = new Rng(seed, EVAL_NOISE_STREAM);
    this.shape = generatorShape(generator);
  }

  /**
   * Images [start, start + n): [n, size, size, c] float32 in [−1, 1], quantised through uint8.
   * Chunks must be read in order (the noise is one stream). When `pixels` is given, the uint8
   * images are also copied into it at image `start`.
   */
  next(start: number, n: number, pixels?: Uint8Array): tf.Tensor4D {
    const { zDim, conditional } = this.shape;
    const z = normalSamples(this.rng, n * zDim);
    const quantised = tf.tidy(() => {
      const zTensor = tf.tensor2d(z, [n, zDim]);
      const y = tf.tensor2d(this.classes.subarray(start, start + n), [n, 1], 'int32');
      return symmetricToPixels(this.generator.predict(conditional ? [zTensor, y] : zTensor, { batchSize: n }) as tf.Tensor4D);
    });
    try {
      if (pixels !== undefined) pixels.set(quantised.dataSync(), start * quantised.size / n);
      return scaleToSymmetric(quantised);
    } finally {
      quantised.dispose();
    }
  }
}
