/**
 * Discriminator heads on the pooled features h [B, F]:
 * - ProjectionHead: logit(x, y) = w·h + b + embed(y)·h (Miyato & Koyama 2018, "cGANs with
 *   Projection Discriminator", eq. 3), unconditional (w·h + b only) when numClasses is 0.
 * - RotationHead: 4 rotation logits (Chen et al. 2019, "Self-Supervised GANs via Auxiliary
 *   Rotation Loss").
 * - ClassifierHead: class logits for the co-training variants (Lucic et al. 2019, S2GAN-CO).
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { seededNormal } from './init.js';
import { SNDense, type SNOptions, seededUnitRow, spectralNormalize } from './spectral-norm.js';

/** Options of ProjectionHead. */
export interface ProjectionHeadOptions {
  /** Layer name, unique within a model (tfjs default: derived from the class). */
  name?: string;
  /** Number of classes; 0 makes the head unconditional (input h only). */
  numClasses: number;
  /** Spectrally normalise the dense kernel and the embedding matrix. Default true. */
  spectralNorm?: boolean;
  /**
   * Throw if any label is outside [0, numClasses). Default true. On cpu and onednn the gather
   * itself detects it (no read per call); other backends read the labels' min and max per call.
   * Unlabelled examples (y = −1) must be given a label (pseudo-label or prediction) before the
   * head; gathering row −1 would otherwise silently act as some class.
   */
  checkLabels?: boolean;
  /** Standard deviation of the N(0, σ²) initialiser of kernel and embedding. Default 0.02. */
  initStddev?: number;
  /** Seed of the initialisers and of the power-iteration vectors. Default 0. */
  seed?: number;
  /** Power iterations per training call when spectralNorm is on. Default 1. */
  powerIterations?: number;
}

/**
 * Inputs [h [B, F], y [B] int32] (or h alone when numClasses is 0) → logits [B, 1].
 * The embedding is [numClasses, F], normalised as a matrix with columns F and its own u [1, F],
 * as Compare GAN applies SN to the one-hot linear map of y.
 */
export class ProjectionHead extends tf.layers.Layer {
  static className = 'ProjectionHead';
  protected readonly numClasses: number;
  protected readonly spectralNorm: boolean;
  protected readonly checkLabels: boolean;
  protected readonly initStddev: number;
  protected readonly seed: number;
  protected readonly powerIterations: number;
  protected kernel!: tf.LayerVariable;
  protected kernelU: tf.LayerVariable | null = null;
  protected bias!: tf.LayerVariable;
  protected embed: tf.LayerVariable | null = null;
  protected embedU: tf.LayerVariable | null = null;

  constructor(args: ProjectionHeadOptions) {
    super(args as object);
    this.numClasses = args.numClasses;
    this.spectralNorm = args.spectralNorm ?? true;
    this.checkLabels = args.checkLabels ?? true;
    this.initStddev = args.initStddev ?? 0.02;
    this.seed = args.seed ?? 0;
    this.powerIterations = args.powerIterations ?? 1;
    if (!(Number.isInteger(this.numClasses) && this.numClasses >= 0)) {
      throw new Error(`ProjectionHead: numClasses must be an integer >= 0, got ${this.numClasses}`);
    }
  }

  private get conditional(): boolean {
    return this.numClasses > 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const hShape = (this.conditional ? (inputShape as tf.Shape[])[0] : inputShape) as tf.Shape;
    const features = hShape[hShape.length - 1];
    if (features === null) throw new Error(`${this.name}: the feature dimension must be known`);
    const init = (offset: number) => seededNormal(this.initStddev, this.seed + offset);
    this.kernel = this.addWeight('kernel', [features, 1], 'float32', init(0));
    this.bias = this.addWeight('bias', [1], 'float32', tf.initializers.zeros());
    // The u vectors exist only with SN, so a model saved without SN carries no unused weights.
    // u of a [F, 1] kernel is [1, 1]: σ = ‖w‖ exactly, whatever the iteration count.
    if (this.spectralNorm) {
      this.kernelU = this.addWeight('kernel_u', [1, 1], 'float32', tf.initializers.ones(), undefined, false);
    }
    if (this.conditional) {
      this.embed = this.addWeight('embed', [this.numClasses, features], 'float32', init(1));
    }
    if (this.conditional && this.spectralNorm) {
      this.embedU = this.addWeight('embed_u', [1, features], 'float32', tf.initializers.zeros(), undefined, false);
      tf.tidy(() => {
        this.embedU?.write(seededUnitRow(features, this.seed + 1));
      });
    }
    this.built = true;
  }

  /** The weight, spectrally normalised when asked; writes u on training calls. */
  private weight(w: tf.LayerVariable, u: tf.LayerVariable | null, training: boolean): tf.Tensor2D {
    if (u === null) return w.read() as tf.Tensor2D;
    const iterations = training ? this.powerIterations : 0;
    const { normalized, sigma, newU } = spectralNormalize(w.read() as tf.Tensor2D, u.read() as tf.Tensor2D, iterations);
    sigma.dispose();
    if (training) u.write(newU);
    else newU.dispose();
    return normalized;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const hShape = (this.conditional ? (inputShape as tf.Shape[])[0] : inputShape) as tf.Shape;
    return [hShape[0], 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    return tf.tidy(() => {
      const training = kwargs?.training === true;
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const h = list[0] as tf.Tensor2D;
      if (h.rank !== 2) throw new Error(`${this.name}: h must be [B, F], got [${h.shape}]`);
      // 1. Unconditional part w·h + b.
      const logit = tf.add(tf.matMul(h, this.weight(this.kernel, this.kernelU, training)), this.bias.read());
      if (!this.conditional) return logit;
      // 2. Projection <embed[y], h> (Miyato & Koyama 2018, eq. 3).
      if (list.length !== 2) throw new Error(`${this.name}: expected inputs [h, y] when numClasses > 0`);
      const flat = list[1].rank === 1 ? list[1] : tf.reshape(list[1], [-1]);
      const y = flat.dtype === 'int32' ? flat : tf.cast(flat, 'int32');
      if (y.shape[0] !== h.shape[0]) throw new Error(`${this.name}: batch of h (${h.shape[0]}) and y (${y.shape[0]}) differ`);
      // The cpu-family backends' gather rejects a row outside the embedding itself, so the labels
      // are read only when it has failed (no read in a training step); others read them first.
      const gatherChecks = tf.backend() instanceof MathBackendCPU;
      if (this.checkLabels && !gatherChecks) this.assertLabels(y);
      const embed = this.weight(this.embed as tf.LayerVariable, this.embedU, training);
      let rows: tf.Tensor;
      try {
        rows = tf.gather(embed, y);
      } catch (error) {
        if (this.checkLabels) this.assertLabels(y);
        throw error;
      }
      const projection = tf.sum(tf.mul(rows, h), 1, true);
      return tf.add(logit, projection);
    });
  }

  private assertLabels(y: tf.Tensor): void {
    if (y.size === 0) return;
    const [min, max] = tf.tidy(() => tf.stack([tf.min(y), tf.max(y)])).dataSync() as Int32Array;
    if (min < 0 || max >= this.numClasses) {
      throw new Error(
        `${this.name}: labels must lie in [0, ${this.numClasses}), got range [${min}, ${max}]; ` +
          'replace unlabelled (-1) labels by pseudo-labels or predictions before the projection head',
      );
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numClasses: this.numClasses,
      spectralNorm: this.spectralNorm,
      checkLabels: this.checkLabels,
      initStddev: this.initStddev,
      seed: this.seed,
      powerIterations: this.powerIterations,
    };
  }
}

/** Options of RotationHead (a SNDense with 4 units). */
export type RotationHeadOptions = SNOptions & { name?: string };

/** h [B, F] → rotation logits [B, 4] for 0°, 90°, 180°, 270° (Chen et al. 2019, eq. 2). */
export class RotationHead extends SNDense {
  static override className = 'RotationHead';
  constructor(args: RotationHeadOptions = {}) {
    super({ ...args, units: 4 });
  }
}

/** Options of ClassifierHead. */
export type ClassifierHeadOptions = SNOptions & { numClasses: number; name?: string };

/** h [B, F] → class logits [B, numClasses], trained on labelled real images (co-training). */
export class ClassifierHead extends SNDense {
  static override className = 'ClassifierHead';
  constructor(args: ClassifierHeadOptions) {
    super({ ...args, units: args.numClasses ?? (args as { units?: number }).units });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numClasses: this.units };
  }
}

tf.serialization.registerClass(ProjectionHead);
tf.serialization.registerClass(RotationHead);
tf.serialization.registerClass(ClassifierHead);
