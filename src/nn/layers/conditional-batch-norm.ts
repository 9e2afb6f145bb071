/**
 * Class-conditional batch normalisation (de Vries et al. 2017, "Modulating early visual
 * processing by language"; Miyato & Koyama 2018; Brock et al. 2019 "BigGAN"): batch norm without
 * its own affine transform, followed by a per-sample scale and shift that depend on the class.
 * γ = 1 + Δγ and β start at zero, so a fresh layer is plain batch norm (the bench-32 generator).
 *
 * Statistics: training calls normalise with the batch mean and (biased) variance over every axis
 * but the channel one, and write moving = momentum · moving + (1 − momentum) · batch; inference
 * calls use the moving statistics. Both moving tensors are non-trainable weights, so they are
 * saved with the model.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTrainingStep } from './batch-norm-step.js';
import { seededNormal } from './init.js';

/** Options shared by both conditional batch norms. */
export interface CBNOptions {
  /** Layer name, unique within a model (tfjs default: derived from the class). */
  name?: string;
  /** Decay of the moving statistics per training call. Default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  epsilon?: number;
}

/** Options of ConditionalBatchNorm. */
export interface ConditionalBatchNormOptions extends CBNOptions {
  /** Number of classes; labels must lie in [0, numClasses). */
  numClasses: number;
}

/** Base: moving statistics and the normalisation without affine. */
abstract class NormalizeLayer extends tf.layers.Layer {
  protected readonly momentum: number;
  protected readonly epsilon: number;
  protected movingMean!: tf.LayerVariable;
  protected movingVariance!: tf.LayerVariable;

  constructor(args: CBNOptions & tf.serialization.ConfigDict) {
    super(args as object);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-5;
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new Error(`${this.getClassName()}: momentum must be in [0, 1), got ${this.momentum}`);
    }
  }

  /** Adds the moving statistics for `channels` and returns the channel count. */
  protected addStatistics(xShape: tf.Shape): number {
    const channels = xShape[xShape.length - 1];
    if (channels === null) throw new Error(`${this.name}: the channel dimension must be known`);
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    return channels;
  }

  /**
   * x̂ · γ + β, x̂ = (x − mean) / sqrt(var + ε), with γ, β [B, C] broadcast over the spatial axes of
   * a 4-D x. Training calls use the batch statistics (one fused kernel, src/ops) and update the
   * moving ones; inference calls use the moving statistics.
   */
  protected normalizeAndModulate(x: tf.Tensor, gamma: tf.Tensor2D, beta: tf.Tensor2D, training: boolean): tf.Tensor {
    if (training) {
      return batchNormTrainingStep(x, {
        scale: gamma,
        offset: beta,
        movingMean: this.movingMean,
        movingVariance: this.movingVariance,
        momentum: this.momentum,
        epsilon: this.epsilon,
      });
    }
    const xHat = tf.div(tf.sub(x, this.movingMean.read()), tf.sqrt(tf.add(this.movingVariance.read(), this.epsilon)));
    const [b, c] = gamma.shape;
    const shape = xHat.rank === 4 ? [b, 1, 1, c] : [b, c];
    return tf.add(tf.mul(xHat, tf.reshape(gamma, shape)), tf.reshape(beta, shape));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0];
  }

  protected static checkInputs(name: string, inputs: tf.Tensor | tf.Tensor[]): [tf.Tensor, tf.Tensor] {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error(`${name}: expected inputs [x, condition]`);
    const [x, c] = inputs;
    if (x.rank !== 2 && x.rank !== 4) throw new Error(`${name}: x must be [B, C] or [B, H, W, C], got [${x.shape}]`);
    if (c.shape[0] !== x.shape[0]) throw new Error(`${name}: batch of x (${x.shape[0]}) and condition (${c.shape[0]}) differ`);
    return [x, c];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}

/**
 * Inputs [x [B, H, W, C] or [B, C], y [B] int32 labels in [0, numClasses)] → x's shape.
 * Output = BN(x) · (1 + embedGamma[y]) + embedBeta[y], embeddings [numClasses, C], zeros at start.
 */
export class ConditionalBatchNorm extends NormalizeLayer {
  static className = 'ConditionalBatchNorm';
  protected readonly numClasses: number;
  protected embedGamma!: tf.LayerVariable;
  protected embedBeta!: tf.LayerVariable;

  constructor(args: ConditionalBatchNormOptions) {
    super(args as ConditionalBatchNormOptions & tf.serialization.ConfigDict);
    this.numClasses = args.numClasses;
    if (!(Number.isInteger(this.numClasses) && this.numClasses >= 1)) {
      throw new Error(`ConditionalBatchNorm: numClasses must be an integer >= 1, got ${this.numClasses}`);
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = this.addStatistics((inputShape as tf.Shape[])[0]);
    this.embedGamma = this.addWeight('embed_gamma', [this.numClasses, channels], 'float32', tf.initializers.zeros());
    this.embedBeta = this.addWeight('embed_beta', [this.numClasses, channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    return tf.tidy(() => {
      const [x, y] = NormalizeLayer.checkInputs(this.name, inputs);
      const labels = tf.cast(tf.reshape(y, [-1]), 'int32');
      const gamma = tf.add(tf.gather(this.embedGamma.read(), labels), 1) as tf.Tensor2D;
      const beta = tf.gather(this.embedBeta.read(), labels) as tf.Tensor2D;
      return this.normalizeAndModulate(x, gamma, beta, kwargs?.training === true);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numClasses: this.numClasses };
  }
}

/** Options of SharedEmbeddingBatchNorm. */
export interface SharedEmbeddingBatchNormOptions extends CBNOptions {
  /** Standard deviation of the N(0, σ²) init of Wγ and Wβ; 0 (default) starts as plain BN. */
  initStddev?: number;
  /** Seed of that initialiser. Default 0. */
  seed?: number;
}

/**
 * BigGAN form (Brock et al. 2019, Sec. 3 "shared embedding"): inputs [x [B, H, W, C] or [B, C],
 * e [B, E]], where e is the shared class embedding (possibly concatenated with a chunk of z for
 * hierarchical latents). Output = BN(x) · (1 + e Wγ) + e Wβ with Wγ, Wβ [E, C] and no bias.
 */
export class SharedEmbeddingBatchNorm extends NormalizeLayer {
  static className = 'SharedEmbeddingBatchNorm';
  protected readonly initStddev: number;
  protected readonly seed: number;
  protected gammaKernel!: tf.LayerVariable;
  protected betaKernel!: tf.LayerVariable;

  constructor(args: SharedEmbeddingBatchNormOptions = {}) {
    super(args as SharedEmbeddingBatchNormOptions & tf.serialization.ConfigDict);
    this.initStddev = args.initStddev ?? 0;
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape, eShape] = inputShape as tf.Shape[];
    const channels = this.addStatistics(xShape);
    const embedDim = eShape[eShape.length - 1];
    if (embedDim === null) throw new Error(`${this.name}: the embedding dimension must be known`);
    const init = (offset: number) =>
      this.initStddev > 0
        ? seededNormal(this.initStddev, this.seed + offset)
        : tf.initializers.zeros();
    this.gammaKernel = this.addWeight('gamma_kernel', [embedDim, channels], 'float32', init(0));
    this.betaKernel = this.addWeight('beta_kernel', [embedDim, channels], 'float32', init(1));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    return tf.tidy(() => {
      const [x, e] = NormalizeLayer.checkInputs(this.name, inputs);
      if (e.rank !== 2) throw new Error(`${this.name}: e must be [B, E], got [${e.shape}]`);
      const gamma = tf.add(tf.matMul(e as tf.Tensor2D, this.gammaKernel.read() as tf.Tensor2D), 1) as tf.Tensor2D;
      const beta = tf.matMul(e as tf.Tensor2D, this.betaKernel.read() as tf.Tensor2D) as tf.Tensor2D;
      return this.normalizeAndModulate(x, gamma, beta, kwargs?.training === true);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initStddev: this.initStddev, seed: this.seed };
  }
}

tf.serialization.registerClass(ConditionalBatchNorm);
tf.serialization.registerClass(SharedEmbeddingBatchNorm);
