/**
 * The pieces of an objective: a term reads the forward outputs of one step (D's records of the real
 * and fake images, the labels, the images, any extra network) and returns an unweighted scalar loss
 * for one network, with optional scalar metrics. The step multiplies by the term's weight, sums the
 * terms of that network in objective order, minimises the sum and logs each term by name.
 */
import type * as tf from '@tensorflow/tfjs';
import type { AdversarialLossName } from '../../../losses/adversarial.js';
import type { DiscriminatorRecord } from '../../../nn/architectures/discriminator-record.js';
import type { Rng } from '../../../util/rng.js';
import type { GanModels, TrainedModels } from '../steps.js';

/** The network whose update minimises a term. */
export type TrainedBy = 'discriminator' | 'generator';

/** D's scores of one batch of images. */
export interface ScoredImages {
  /** D's record of the B images themselves. */
  readonly record: DiscriminatorRecord;
  /** D's rotation logits of the 4·k appended rotated copies and their labels (a term asked for them). */
  readonly rotated?: { readonly rotationLogits: tf.Tensor2D; readonly rotationLabels: tf.Tensor1D };
}

/** What the step computed before the terms run; every tensor belongs to the step. */
export interface ForwardOutputs {
  /** D on the real batch: always in the D step, in the G step when a G term reads reals. */
  readonly real?: ScoredImages;
  /**
   * D on the generated batch. In the G step of an objective none of whose G terms reads D
   * (`readsDiscriminator: false`), D is not run and reading this throws.
   */
  readonly fake: ScoredImages;
  /** [B, s, s, c] real images, when the step has a real batch. */
  readonly realImages?: tf.Tensor4D;
  /** [B] int32 labels of the real images as given (UNLABELLED, −1, where unknown). */
  readonly realLabels?: tf.Tensor1D;
  /** [B, s, s, c] G's images (with gradient to G in the G step). */
  readonly fakeImages: tf.Tensor4D;
  /** [B] int32 classes the fakes were generated for. */
  readonly fakeLabels: tf.Tensor1D;
  /** [B, zDim] the latent vectors the fakes were generated from. */
  readonly z?: tf.Tensor2D;
  /** The objective's extra networks by name (e.g. a metric network whose embeddings a G term reads). */
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
  /**
   * D step only: D's logits [B] of other images [B, s, s, c], labelled as the real batch is
   * projected, in training mode, recorded on the tape (gradient penalties differentiate them twice).
   */
  readonly scoreAsReal?: (images: tf.Tensor4D) => tf.Tensor1D;
  /** D step only: D's trainable weights. */
  readonly discriminatorWeights?: readonly tf.Variable[];
  /** D step only: the U[0, 1] draws a term asked for (`uniform`): [B] or [B, s, s, c]. */
  readonly uniform?: tf.Tensor;
}

/** A term's value for one step. */
export interface TermResult {
  /** The unweighted loss. */
  readonly loss: tf.Scalar;
  /** Scalars to log under their keys (e.g. an accuracy). */
  readonly metrics?: Readonly<Record<string, tf.Scalar>>;
  /** New values of the term's declared state, written after the update (no gradient flows through them). */
  readonly nextState?: Readonly<Record<string, tf.Tensor>>;
}

/** A persistent tensor of a term (e.g. a moving average across minibatches), saved in checkpoints. */
export interface TermStateSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Every entry's value before the first update (default 0). */
  readonly initial?: number;
}

/** One named term of one network's loss. */
export interface ObjectiveTerm {
  /** Registry name of the term (a factory may give one term per network under the same name). */
  readonly name: string;
  readonly network: TrainedBy;
  /** Multiplies the loss in the network's total; exactly 1 adds the loss as it is. */
  readonly weight: number;
  /** Metrics key of the unweighted loss; null: not logged (its parts are, as metrics). Default `name`. */
  readonly lossKey?: string | null;
  /** D also scores these images at four rotations (SS-GAN), appended to the same pass. */
  readonly rotated?: 'real' | 'fake';
  /** A generator term that reads a real batch (D's record of it, or the images): the G step then needs one. */
  readonly readsReal?: boolean;
  /**
   * false: the term reads no D output (e.g. it reads an extra network's embeddings instead). An
   * objective whose terms all say so has no discriminator: none is built, trained or checkpointed.
   * Default true.
   */
  readonly readsDiscriminator?: boolean;
  /**
   * 'real': the G step generates its fakes for the labels of its real batch, so that real and fake
   * batches have the same class make-up (conditional manifold matching). Default: sampled uniformly.
   */
  readonly fakeLabels?: 'real';
  /**
   * A discriminator term that needs U[0, 1] draws in each D step, one per sample ('sample', [B]) or
   * one per real image element ('pixel', [B, s, s, c]); the loop draws them from the training noise
   * stream after z and y', so runs are reproducible and resume exactly. At most one term of an
   * objective asks.
   */
  readonly uniform?: 'sample' | 'pixel';
  /** Persistent tensors, passed to `compute` and saved with the checkpoint. */
  readonly state?: readonly TermStateSpec[];
  /**
   * A generator term that compares pairs of fakes of one class: the G step then generates the
   * batch's second half for the first half's labels (losses/mode-seeking.ts, pairedRows), z unchanged.
   */
  readonly pairsFakeLabels?: boolean;
  /**
   * The labels D's real images are projected with in the D step (default: as given), from D in
   * inference mode before the update; at most one term of an objective sets this.
   */
  readonly realLabels?: (models: GanModels, realImages: tf.Tensor4D, realLabels: tf.Tensor1D) => tf.Tensor1D;
  /** The term's value: a pure function of the forward outputs and the term's state. */
  compute(forward: ForwardOutputs, state: Readonly<Record<string, tf.Tensor>>): TermResult;
}

/** The config values terms are built from (gan.* keys). */
export interface TermSettings {
  readonly loss: AdversarialLossName;
  /** w_d: weight of the real-image rotation loss in L_D. */
  readonly rotationWeightD: number;
  /** w_g: weight of the fake-image rotation loss in L_G. */
  readonly rotationWeightG: number;
  /** Weight of the co-training classification loss in L_D (default 1, as in the S3GAN paper). */
  readonly classifierWeight?: number;
  /** Weight of the mode-seeking term in L_G (MSGAN); 0 or absent: the term is not added. */
  readonly modeSeekingWeight?: number;
  /** Weight of ProGAN's drift term E[D(x)²] in L_D; 0 or absent: the term is not added. */
  readonly driftWeight?: number;
  /** Real images per update: the manifold term's memory holds whole batches. */
  readonly batchSize?: number;
  /** The manifold term's settings (gan.manifold* keys; docs/ALGORITHMS.md § MMGAN); absent ones take the loss's defaults. */
  readonly manifoldWeight?: number;
  readonly manifoldBandwidth?: 'median' | number;
  readonly manifoldDecay?: number;
  readonly manifoldMemoryBatches?: number;
  readonly manifoldCentroidWeight?: number;
  readonly manifoldRadiusWeight?: number;
  readonly manifoldCorrelationWeight?: number;
  /** MvM (docs/ALGORITHMS.md § MvM): the metric network F's embedding size E, base width and Adam; the triplet margin and angular weight. */
  readonly metricEmbeddingSize?: number;
  readonly metricWidth?: number;
  readonly metricLearningRate?: number;
  readonly metricAdamBeta1?: number;
  readonly metricAdamBeta2?: number;
  readonly metricAdamEpsilon?: number;
  readonly tripletMargin?: number;
  readonly tripletAngularWeight?: number;
  /** The gradient penalty on D (docs/ALGORITHMS.md § Gradient penalties); absent or 'none': off. */
  readonly penalty?: PenaltyName;
  /** Its weight λ (WGAN-GP, DRAGAN) or γ (R1). */
  readonly penaltyWeight?: number;
  /** Weight of the L2 penalty on D's kernels; 0 or absent: off. */
  readonly l2Weight?: number;
}

/** The gradient penalties gan.penalty names. */
export const PENALTY_NAMES = ['none', 'wgan-gp', 'dragan', 'r1'] as const;
export type PenaltyName = (typeof PENALTY_NAMES)[number];

/**
 * A network besides G and D that the objective trains in its own phase, once per generator step
 * right after the G update, on the G step's real batch and noise (z, y'), with its own optimizer;
 * checkpoints save its weights as `<name>/` and its optimizer as `optimizer-<name>`.
 */
export interface PhaseNetwork {
  readonly name: string;
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  /**
   * One update on the G step's batch, with any random draw taken from `rng` (the loop's noise
   * stream, whose state checkpoints save); returns the numbers to log (NaN: absent). Leaves no tensors.
   */
  update(models: TrainedModels, batch: { realImages: tf.Tensor4D; realLabels: tf.Tensor1D; z: tf.Tensor2D; fakeLabels: tf.Tensor1D }, rng: Rng): Record<string, number>;
  dispose(): void;
}

/** What a registered factory gives: its terms (for either network) and any network of its own. */
export interface ObjectivePart {
  readonly terms: readonly ObjectiveTerm[];
  readonly networks?: readonly PhaseNetwork[];
}

/** What a factory may read: the term settings, and the shapes and seed when a training run builds it. */
export interface TermContext {
  readonly settings: TermSettings;
  readonly shape?: { readonly numClasses: number; readonly imageSize: number; readonly channels: 1 | 3 };
  readonly seed?: number;
  /** F, the width of D's pooled features, when a training run builds it (a term's state may be sized by it). */
  readonly featureDim?: number;
  /** Whether the method's G is class-conditional (default false). */
  readonly conditional?: boolean;
}

export type TermFactory = (context: TermContext) => ObjectivePart;
