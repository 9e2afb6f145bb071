/**
 * Spectrally normalised convolutions (Miyato et al. 2018) for the SNDCGAN discriminator and,
 * transposed, for generators that want SN as well. Both share SNLayer's u handling: u is
 * [1, filters], written on training calls only. Images are NHWC.
 */
import * as tf from '@tensorflow/tfjs';
import { SNLayer, type SNOptions } from './spectral-norm.js';

function isTraining(kwargs: tf.serialization.ConfigDict | undefined): boolean {
  return kwargs?.training === true;
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** Output length of a conv along one axis, as tf.conv2d computes it. */
function convLength(n: number | null, k: number, s: number, padding: 'same' | 'valid'): number | null {
  if (n === null) return null;
  return padding === 'same' ? Math.ceil(n / s) : Math.ceil((n - k + 1) / s);
}

/** Options of SNConv2D and SNConv2DTranspose. */
export interface SNConvOptions extends SNOptions {
  /** Output channels. */
  filters: number;
  /** Kernel height and width, or one number for both. */
  kernelSize: number | [number, number];
  /** Strides, or one number for both. Default 1. */
  strides?: number | [number, number];
  /** Default 'same'. */
  padding?: 'same' | 'valid';
}

function pair(x: number | [number, number]): [number, number] {
  return typeof x === 'number' ? [x, x] : [x[0], x[1]];
}

/** Spectrally normalised 2-D convolution: [batch, h, w, in] → [batch, h', w', filters]. */
export class SNConv2D extends SNLayer {
  static className = 'SNConv2D';
  protected readonly filters: number;
  protected readonly kernelSize: [number, number];
  protected readonly strides: [number, number];
  protected readonly padding: 'same' | 'valid';

  constructor(args: SNConvOptions) {
    super(args as SNConvOptions & tf.serialization.ConfigDict);
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize);
    this.strides = pair(args.strides ?? 1);
    this.padding = args.padding ?? 'same';
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const inChannels = shape[shape.length - 1];
    if (inChannels === null) throw new Error(`${this.name}: the channel dimension must be known`);
    this.addSNWeights([...this.kernelSize, inChannels, this.filters], this.filters);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w] = inputShape as tf.Shape;
    const [kh, kw] = this.kernelSize;
    return [b, convLength(h, kh, this.strides[0], this.padding), convLength(w, kw, this.strides[1], this.padding), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const kernel = this.normalizedKernel(isTraining(kwargs)) as tf.Tensor4D;
      return this.addBias(tf.conv2d(x, kernel, this.strides, this.padding));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding };
  }
}

/**
 * Spectrally normalised transposed convolution: [batch, h, w, in] → [batch, h·s, w·s, filters]
 * ('same'; 'valid' gives (h−1)·s + kh). tf.conv2dTranspose takes the kernel as [kh, kw, out, in];
 * for σ it is permuted to [kh, kw, in, out] (viewed as [kh·kw·in, out]), so u is [1, filters]
 * like every other SN layer here (σ itself does not depend on the permutation of the axes).
 */
export class SNConv2DTranspose extends SNConv2D {
  static override className = 'SNConv2DTranspose';

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const inChannels = shape[shape.length - 1];
    if (inChannels === null) throw new Error(`${this.name}: the channel dimension must be known`);
    this.addSNWeights([...this.kernelSize, this.filters, inChannels], this.filters);
    this.built = true;
  }

  protected override outputsLast(kernel: tf.Tensor): tf.Tensor {
    return tf.transpose(kernel, [0, 1, 3, 2]);
  }

  protected override fromOutputsLast(kernel: tf.Tensor): tf.Tensor {
    return tf.transpose(kernel, [0, 1, 3, 2]);
  }

  private outLength(n: number | null, k: number, s: number): number | null {
    if (n === null) return null;
    return this.padding === 'same' ? n * s : (n - 1) * s + k;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w] = inputShape as tf.Shape;
    const [kh, kw] = this.kernelSize;
    return [b, this.outLength(h, kh, this.strides[0]), this.outLength(w, kw, this.strides[1]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const kernel = this.normalizedKernel(isTraining(kwargs)) as tf.Tensor4D;
      const [b, h, w] = x.shape;
      const outShape = this.computeOutputShape([b, h, w, x.shape[3]]) as [number, number, number, number];
      return this.addBias(tf.conv2dTranspose(x, kernel, outShape, this.strides, this.padding));
    });
  }
}

tf.serialization.registerClass(SNConv2D);
tf.serialization.registerClass(SNConv2DTranspose);
