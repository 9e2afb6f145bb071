/**
 * Spectral normalisation (Miyato et al. 2018, "Spectral Normalization for GANs", Algorithm 1):
 * every weight W is divided by an estimate of its largest singular value σ(W), so each layer is
 * (about) 1-Lipschitz. σ is estimated by power iteration with a persistent vector u: one
 * iteration per training call is enough because W changes slowly between optimizer steps.
 *
 * Layout: a kernel of any rank is viewed as a matrix [rows = prod(other dims), cols = out], and
 * u has shape [1, out], as in Compare GAN's `spectral_norm`. u is a non-trainable layer weight,
 * so it is saved and restored with the model and a resumed run keeps its estimate.
 * This file holds the math, the shared base and SNDense; sn-conv.ts the convolutions.
 */
import * as tf from '@tensorflow/tfjs';
import { hasSpectralNormKernel, matrixDims, SPECTRAL_NORM_EPS, SPECTRAL_NORMALIZE } from '../../backend/spectral-norm-kernel.js';
import { seededNormal } from './init.js';
import { Rng } from '../../util/rng.js';

/** Identity whose gradient is zero: the power-iteration vectors are constants for backprop. */
const stopGradient = tf.customGrad((x, _save) => ({
  value: (x as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
})) as <T extends tf.Tensor>(x: T) => T;

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.add(tf.norm(x), SPECTRAL_NORM_EPS));
}

/** Result of one spectral normalisation; σ and u are computed without gradient through u, v. */
export interface SpectralNormResult<T extends tf.Tensor = tf.Tensor2D> {
  /** W / σ, the shape of the kernel. */
  normalized: T;
  /** Estimated largest singular value of W, shape [] (gradient flows to W through it). */
  sigma: tf.Scalar;
  /** The updated power-iteration vector, shape [1, cols] (equal to `u` when iterations is 0). */
  newU: tf.Tensor2D;
}

/**
 * Divides `kernel` [..., cols] (viewed as a matrix [rows, cols]) by its largest singular value,
 * estimated from `u` [1, cols]:
 *   repeat `iterations` times: v ← normalise(u Wᵀ) [1, rows]; u ← normalise(v W) [1, cols]
 *   then v ← normalise(u Wᵀ) and σ = v W uᵀ (= ‖W uᵀ‖).
 * Computing v from the final u makes σ depend only on the stored u, so an inference call right
 * after a training call sees exactly the σ that training used. u and v are constants for the
 * gradient (Miyato et al. 2018, Sec. 2.1): dσ/dW = vᵀu.
 * One fused kernel call (and one for the gradient) on backends that have it (cpu, onednn); the op
 * chain of {@link spectralNormalizeWithOps} elsewhere.
 */
export function spectralNormalize<T extends tf.Tensor>(kernel: T, u: tf.Tensor2D, iterations = 1): SpectralNormResult<T> {
  if (!hasSpectralNormKernel() || kernel.rank < 2 || kernel.dtype !== 'float32') return spectralNormalizeWithOps(kernel, u, iterations);
  const [normalized, sigma, newU, state] = tf.engine().runKernel(SPECTRAL_NORMALIZE, { w: kernel, u }, { iterations }) as tf.Tensor[];
  // The tape keeps its own copy of the state for the gradient when one is recorded.
  state.dispose();
  return { normalized: normalized as T, sigma: sigma as tf.Scalar, newU: newU as tf.Tensor2D };
}

/** {@link spectralNormalize} as a chain of tfjs ops (matrix products, norms, divisions). */
export function spectralNormalizeWithOps<T extends tf.Tensor>(kernel: T, u: tf.Tensor2D, iterations = 1): SpectralNormResult<T> {
  return tf.tidy(() => {
    const kernel2d = tf.reshape(kernel, matrixDims(kernel.shape)) as tf.Tensor2D;
    const w = stopGradient(kernel2d);
    let uHat = stopGradient(u);
    for (let i = 0; i < iterations; i++) {
      const v = l2Normalize(tf.matMul(uHat, w, false, true));
      uHat = l2Normalize(tf.matMul(v, w));
    }
    const v = l2Normalize(tf.matMul(uHat, w, false, true));
    const sigma = tf.sum(tf.mul(tf.matMul(v, kernel2d), uHat)) as tf.Scalar;
    return { normalized: tf.reshape(tf.div(kernel2d, sigma), kernel.shape) as T, sigma, newU: uHat };
  });
}

/** Options shared by the spectrally normalised layers. */
export interface SNOptions {
  /** Layer name, unique within a model (tfjs default: derived from the class). */
  name?: string;
  /** Power iterations per training call (Miyato et al. use 1). Default 1. */
  powerIterations?: number;
  /** Standard deviation of the N(0, σ²) kernel initialiser. Default 0.02 (Compare GAN). */
  initStddev?: number;
  /** Seed of the kernel initialiser and of u's initial direction. Default 0. */
  seed?: number;
  /** Add a bias after the (normalised) product. Default true. */
  useBias?: boolean;
}

/** A seeded unit vector [1, n] from N(0, I) (Box–Muller), the initial u. */
export function seededUnitRow(n: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed, 7);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    values[i] = r * Math.cos(2 * Math.PI * rng.next());
  }
  const norm = Math.hypot(...values) || 1;
  return tf.tensor2d(values.map((x) => x / norm), [1, n]);
}

/**
 * Base of the SN layers: owns kernel, optional bias and u, and returns the normalised kernel
 * (in the kernel's own shape), writing the new u on training calls only.
 */
export abstract class SNLayer extends tf.layers.Layer {
  protected readonly powerIterations: number;
  protected readonly initStddev: number;
  protected readonly seed: number;
  protected readonly useBias: boolean;
  protected kernel!: tf.LayerVariable;
  protected bias: tf.LayerVariable | null = null;
  protected u!: tf.LayerVariable;

  constructor(args: SNOptions & tf.serialization.ConfigDict) {
    super(args as object);
    this.powerIterations = args.powerIterations ?? 1;
    this.initStddev = args.initStddev ?? 0.02;
    this.seed = args.seed ?? 0;
    this.useBias = args.useBias ?? true;
    if (!(Number.isInteger(this.powerIterations) && this.powerIterations >= 1)) {
      throw new Error(`${this.getClassName()}: powerIterations must be an integer >= 1, got ${this.powerIterations}`);
    }
  }

  /** Creates kernel [..., out], bias [out] and u [1, out]. */
  protected addSNWeights(kernelShape: number[], out: number): void {
    const init = seededNormal(this.initStddev, this.seed);
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', init);
    if (this.useBias) this.bias = this.addWeight('bias', [out], 'float32', tf.initializers.zeros());
    this.u = this.addWeight('u', [1, out], 'float32', tf.initializers.zeros(), undefined, false);
    tf.tidy(() => {
      this.u.write(seededUnitRow(out, this.seed));
    });
  }

  /**
   * The kernel with the output channels on the last axis, the layout σ and u are computed in
   * (viewed as a matrix [rows, out]); the transposed conv overrides both maps.
   */
  protected outputsLast(kernel: tf.Tensor): tf.Tensor {
    return kernel;
  }

  protected fromOutputsLast(kernel: tf.Tensor): tf.Tensor {
    return kernel;
  }

  /** The kernel divided by σ; on training calls also the u update (Miyato et al. Alg. 1). */
  protected normalizedKernel(training: boolean): tf.Tensor {
    const { normalized, sigma, newU } = spectralNormalize(
      this.outputsLast(this.kernel.read()),
      this.u.read() as tf.Tensor2D,
      training ? this.powerIterations : 0,
    );
    sigma.dispose();
    if (training) this.u.write(newU);
    else newU.dispose();
    return this.fromOutputsLast(normalized);
  }

  /** The current σ estimate from the stored u, without updating it (for monitoring and tests). */
  sigma(): tf.Scalar {
    return tf.tidy(() => spectralNormalize(this.outputsLast(this.kernel.read()), this.u.read() as tf.Tensor2D, 0).sigma);
  }

  protected addBias(y: tf.Tensor): tf.Tensor {
    return this.bias ? tf.add(y, this.bias.read()) : y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      powerIterations: this.powerIterations,
      initStddev: this.initStddev,
      seed: this.seed,
      useBias: this.useBias,
    };
  }
}

/** Options of SNDense. */
export interface SNDenseOptions extends SNOptions {
  /** Output features. */
  units: number;
}

/** Spectrally normalised dense layer: [batch, in] → [batch, units], kernel [in, units]. */
export class SNDense extends SNLayer {
  static className = 'SNDense';
  protected readonly units: number;

  constructor(args: SNDenseOptions) {
    super(args as SNDenseOptions & tf.serialization.ConfigDict);
    this.units = args.units;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const inFeatures = shape[shape.length - 1];
    if (inFeatures === null) throw new Error(`${this.name}: the feature dimension must be known`);
    this.addSNWeights([inFeatures, this.units], this.units);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...(inputShape as tf.Shape).slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const kernel = this.normalizedKernel(kwargs?.training === true) as tf.Tensor2D;
      return this.addBias(tf.matMul(x, kernel));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}

tf.serialization.registerClass(SNDense);
