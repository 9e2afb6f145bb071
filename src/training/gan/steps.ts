/**
 * One optimizer update of the discriminator, and one of the generator. A step runs the forward
 * passes once (G, then D on the real and fake images the objective's terms read), sums the terms of
 * its network (training/gan/objective/), minimises the sum and logs each term by name. Each step
 * names its variable list explicitly (no frozen combined model): the D step updates only D's
 * trainable weights, the G step only G's. Steps are synchronous tensor code and leave no tensors
 * behind; they return plain numbers for logging.
 */
import * as tf from '@tensorflow/tfjs';
import { pairedLabels } from '../../losses/mode-seeking.js';
import { invariant } from '../../util/errors.js';
import { trainableVariables } from '../common/variables.js';
import { headsObjective } from './objective/build.js';
import { scoreImages, asLabelInput } from './objective/forward.js';
import type { Objective } from './objective/objective.js';
import type { ForwardOutputs, ObjectiveTerm, TermSettings } from './objective/term.js';

export interface GanModels {
  /** [z, y?] → images [B, s, s, c] in [−1, 1]. */
  readonly generator: tf.LayersModel;
  /** [x, y?] → [logit [B, 1], rotationLogits [B, 4]?, classLogits [B, K]?] (named by applyDiscriminator). */
  readonly discriminator: tf.LayersModel;
  /** Whether both networks take class labels. */
  readonly conditional: boolean;
  /** Whether the discriminator has a rotation head and the rotation losses apply. */
  readonly rotation: boolean;
  /** Whether the discriminator has a classifier head trained on labelled real images. */
  readonly coTraining: boolean;
}

/** The models a run trains: G always, D when the objective reads it (MvM has none). */
export type TrainedModels = Omit<GanModels, 'discriminator'> & { readonly discriminator?: tf.LayersModel };

export interface StepOptions extends TermSettings {
  readonly rotatedBatchFraction: number;
  /** The terms to minimise; default: the S3GAN-family objective D's heads imply (headsObjective). */
  readonly objective?: Objective;
}

/** Inputs of one D step. */
export interface DiscriminatorBatch {
  /** [B, s, s, c] in [−1, 1]. */
  readonly realImages: tf.Tensor4D;
  /**
   * [B] int32 labels of the real images (ignored when unconditional). UNLABELLED (−1) is allowed
   * only with co-training, which resolves it from D's classifier head.
   */
  readonly realLabels: tf.Tensor1D;
  /** [B, zDim] latent vectors for the fakes. */
  readonly z: tf.Tensor2D;
  /** [B] int32 classes requested for the fakes. */
  readonly fakeLabels: tf.Tensor1D;
  /** U[0, 1] draws for a penalty term that asked for them (Objective.discriminatorUniform): [B] or [B, s, s, c]. */
  readonly uniform?: tf.Tensor;
}

/** Inputs of one G step; the real batch only when a generator term reads D on real images. */
export type GeneratorBatch = Pick<DiscriminatorBatch, 'z' | 'fakeLabels'> & Partial<Pick<DiscriminatorBatch, 'realImages' | 'realLabels'>>;

/** Every term's logged numbers are added under their own keys; these are the S3GAN family's. */
export interface DiscriminatorStepResult {
  readonly [key: string]: number;
  readonly dLoss: number;
  readonly dLossReal: number;
  readonly dLossFake: number;
  /** Rotation CE on real images (NaN without rotation). */
  readonly dRotationLoss: number;
  /** D's rotation accuracy on real images (NaN without rotation). */
  readonly dRotationAccuracyReal: number;
  /** Classifier-head cross-entropy on the labelled real rows (NaN without co-training). */
  readonly dClassifierLoss: number;
  /** Classifier-head accuracy on the labelled real rows (NaN without co-training or labelled rows). */
  readonly dClassifierAccuracy: number;
}

export interface GeneratorStepResult {
  readonly [key: string]: number;
  readonly gLoss: number;
  /** Rotation CE on generated images (NaN without rotation). */
  readonly gRotationLoss: number;
  /** D's rotation accuracy on generated images (NaN without rotation). */
  readonly dRotationAccuracyFake: number;
}

/** The objective of a step: the one given, else the one D's heads imply. */
function objectiveOf(models: TrainedModels, options: StepOptions): Objective {
  return options.objective ?? headsObjective(models, { settings: options });
}

/** Scalars to numbers for logging (NaN for an absent one), disposing the tensors. */
function readScalars(scalars: Record<string, tf.Scalar | null | undefined>): Record<string, number> {
  const values: Record<string, number> = {};
  for (const key of Object.keys(scalars)) {
    const scalar = scalars[key];
    values[key] = scalar == null ? NaN : scalar.dataSync()[0];
    scalar?.dispose();
  }
  return values;
}

function generate(models: TrainedModels, z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor4D {
  const inputs = models.conditional ? [z, asLabelInput(labels)] : z;
  return models.generator.apply(inputs, { training: true }) as tf.Tensor4D;
}

/** The S3GAN family's keys, in metrics.jsonl's order; NaN where the objective has no such term. */
const D_KEYS = ['dLossReal', 'dLossFake', 'dRotationLoss', 'dRotationAccuracyReal', 'dClassifierLoss', 'dClassifierAccuracy'] as const;
const G_KEYS = ['gRotationLoss', 'dRotationAccuracyFake'] as const;

/**
 * Minimises `network`'s terms of `objective` on the forward outputs `forward` builds (inside the
 * loss closure), writes the terms' next state and returns the logged numbers: `totalKey` first, then
 * `keys` (NaN when absent), then any other term's numbers.
 */
function minimizeTerms(
  objective: Objective,
  network: 'discriminator' | 'generator',
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  forward: () => ForwardOutputs,
  totalKey: string,
  keys: readonly string[],
): Record<string, number> {
  const logs: Record<string, tf.Scalar> = {};
  const nextState = new Map<ObjectiveTerm, Record<string, tf.Tensor>>();
  const cost = optimizer.minimize(() => objective.sum(network, forward(), logs, nextState), true, variables);
  objective.writeState(nextState);
  return readScalars({ [totalKey]: cost, ...Object.fromEntries(keys.map((key) => [key, undefined])), ...logs });
}

/**
 * D step: minimise L_D = Σ weight · term over the objective's D terms (S3GAN: adversarial D loss
 * + w_d · CE(rotation of rotated reals) + w_c · CE(classifier on labelled reals)). Fakes come from G
 * without gradient to G (G's variables are not in the list).
 */
export function discriminatorStep(models: GanModels, optimizer: tf.Optimizer, batch: DiscriminatorBatch, options: StepOptions): DiscriminatorStepResult {
  const objective = objectiveOf(models, options);
  // The labels the projection conditions on (co-training: predicted where unlabelled), fixed before the update.
  const labelsTerm = objective.realLabelsTerm;
  const realLabels = labelsTerm?.realLabels?.(models, batch.realImages, batch.realLabels) ?? batch.realLabels.clone();
  const score = (images: tf.Tensor4D, labels: tf.Tensor1D, which: 'real' | 'fake') =>
    scoreImages(models, images, labels, { training: true, rotate: objective.rotates('discriminator', which), rotatedBatchFraction: options.rotatedBatchFraction });
  try {
    const variables = trainableVariables(models.discriminator);
    // Penalty terms score other images (interpolates, perturbed reals) as the reals are labelled.
    const scoreAsReal = (images: tf.Tensor4D): tf.Tensor1D => {
      const { logit } = scoreImages(models, images, realLabels, { training: true, rotate: false, rotatedBatchFraction: options.rotatedBatchFraction }).record;
      return tf.reshape(logit, [logit.shape[0]]);
    };
    const result = minimizeTerms(objective, 'discriminator', optimizer, variables, () => {
      const fakes = generate(models, batch.z, batch.fakeLabels);
      const real = score(batch.realImages, realLabels, 'real');
      const fake = score(fakes, batch.fakeLabels, 'fake');
      return {
        real, fake, realImages: batch.realImages, realLabels: batch.realLabels, fakeImages: fakes, fakeLabels: batch.fakeLabels, z: batch.z, networks: networksOf(objective),
        scoreAsReal, discriminatorWeights: variables, uniform: batch.uniform,
      };
    }, 'dLoss', D_KEYS);
    return result as DiscriminatorStepResult;
  } finally {
    realLabels.dispose();
  }
}

/**
 * G step: minimise L_G = Σ weight · term over the objective's G terms (S3GAN: adversarial G loss
 * + w_g · CE(rotation of rotated fakes)). D is applied in inference mode (its spectral-norm vectors
 * are not advanced) and its variables are not in the list.
 */
export function generatorStep(models: TrainedModels, optimizer: tf.Optimizer, batch: GeneratorBatch, options: StepOptions): GeneratorStepResult {
  const objective = objectiveOf(models, options);
  const readsReal = objective.generatorReadsReal;
  invariant(!readsReal || (batch.realImages !== undefined && batch.realLabels !== undefined), 'this objective\'s G step needs a real batch');
  const score = (images: tf.Tensor4D, labels: tf.Tensor1D, which: 'real' | 'fake') =>
    scoreImages(models, images, labels, { training: false, rotate: objective.rotates('generator', which), rotatedBatchFraction: options.rotatedBatchFraction });
  const readsD = objective.generatorReadsDiscriminator;
  // A term comparing pairs of fakes (mode seeking) has the second half generated for the first half's classes.
  const fakeLabels = objective.generatorPairsLabels ? pairedLabels(batch.fakeLabels) : batch.fakeLabels;
  // The real batch is projected with the labels the D step would use (co-training: D's prediction
  // where unlabelled, so no −1 reaches the projection's embedding).
  const realLabels = readsReal && readsD ? (objective.realLabelsTerm?.realLabels?.(models as GanModels, batch.realImages!, batch.realLabels!) ?? batch.realLabels!.clone()) : undefined;
  try {
    const result = minimizeTerms(objective, 'generator', optimizer, trainableVariables(models.generator), () => {
      const fakes = generate(models, batch.z, fakeLabels);
      const images = { realImages: batch.realImages, realLabels: batch.realLabels, fakeImages: fakes, fakeLabels, z: batch.z, networks: networksOf(objective) };
      if (!readsD) return withoutDiscriminator(images);
      const fake = score(fakes, fakeLabels, 'fake');
      const real = realLabels === undefined ? undefined : score(batch.realImages!, realLabels, 'real');
      return { real, fake, ...images };
    }, 'gLoss', G_KEYS);
    return result as GeneratorStepResult;
  } finally {
    if (fakeLabels !== batch.fakeLabels) fakeLabels.dispose();
    realLabels?.dispose();
  }
}

/** Forward outputs without D's records, for G terms that declared they read none: reading them is a bug. */
function withoutDiscriminator(images: Omit<ForwardOutputs, 'real' | 'fake'>): ForwardOutputs {
  return Object.defineProperty({ ...images }, 'fake', {
    get(): never {
      throw new Error('internal invariant failed: a G term read D\'s record but every G term of the objective says readsDiscriminator: false');
    },
  }) as ForwardOutputs;
}

/** The objective's extra networks by name, for terms that read them. */
function networksOf(objective: Objective): Record<string, tf.LayersModel> {
  return Object.fromEntries(objective.networks.map((network) => [network.name, network.model]));
}
