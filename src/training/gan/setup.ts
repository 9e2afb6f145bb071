/**
 * Everything the GAN loop trains, built from the config: G and D of the configured architecture
 * with the heads the method needs, G's weight average and the model that holds it for sampling
 * (G-EMA), and one Adam optimizer per network (β1, β2 and learning rates from the config; the fused
 * update of fused-adam.ts, checkpointed as tfjs's Adam is). An objective that reads no D (MvM) gets
 * no D and no D optimizer; its own networks come with the objective.
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../config/schema.js';
import type { MethodSpec } from '../../methods/methods.js';
import { buildDiscriminator, buildGenerator, type GeneratorOptions } from '../../nn/architectures/index.js';
import { featureDimension } from '../../nn/architectures/discriminator-record.js';
import { WeightAverage } from './ema.js';
import { methodObjective } from './objective/build.js';
import type { Objective } from './objective/objective.js';
import { fusedAdam } from '../common/fused-adam.js';
import { type StepOptions, type TrainedModels } from './steps.js';
import { trainableVariables } from '../common/variables.js';

export interface GanShape {
  /** Classes of the dataset (the conditional models' label range). */
  readonly numClasses: number;
  readonly imageSize: number;
  readonly channels: 1 | 3;
}

export interface GanTraining {
  /** G, and D unless the objective reads none. */
  readonly models: TrainedModels;
  /** A second generator holding the weight average (plus G's batch-norm statistics) for samples. */
  readonly emaGenerator: tf.LayersModel;
  readonly ema: WeightAverage;
  /** Absent with the discriminator. */
  readonly dOptimizer?: tf.Optimizer;
  readonly gOptimizer: tf.Optimizer;
  /** The method's objective (also in stepOptions): its terms, their state and any extra network. */
  readonly objective: Objective;
  readonly stepOptions: StepOptions;
  /** The generator's options (to rebuild it, e.g. for the export). */
  readonly generatorOptions: GeneratorOptions;
  dispose(): void;
}

/** Offsets keep the per-layer seeds of G and D apart (each layer takes seed, seed + 1, …). */
const DISCRIMINATOR_SEED_OFFSET = 10_000;

/** The generator's options for this config and method (also used to rebuild G for sampling). */
export function generatorOptions(gan: Config['gan'], method: MethodSpec, shape: GanShape, seed: number): GeneratorOptions {
  return {
    zDim: gan.zDim,
    numClasses: method.conditional ? shape.numClasses : 0,
    width: gan.width,
    imageSize: shape.imageSize,
    channels: shape.channels,
    seed,
    classEmbeddingDim: gan.classEmbeddingDim,
  };
}

export function createGanTraining(gan: Config['gan'], method: MethodSpec, shape: GanShape, seed: number): GanTraining {
  const gOptions = generatorOptions(gan, method, shape, seed);
  const generator = buildGenerator(gan.architecture, gOptions);
  // The terms alone (no networks) say whether D is read; the objective proper is built last.
  const terms = methodObjective(method, gan);
  const hasDiscriminator = terms.usesDiscriminator;
  terms.dispose();
  const discriminator = hasDiscriminator
    ? buildDiscriminator(gan.architecture, {
        numClasses: gOptions.numClasses,
        width: gan.width,
        imageSize: shape.imageSize,
        channels: shape.channels,
        seed: seed + DISCRIMINATOR_SEED_OFFSET,
        rotationHead: method.rotation,
        classifierHead: method.coTraining,
      })
    : undefined;
  const emaGenerator = buildGenerator(gan.architecture, gOptions);
  const ema = new WeightAverage(trainableVariables(generator), { decay: gan.emaDecay, startStep: gan.emaStartStep });
  const dOptimizer = hasDiscriminator ? fusedAdam(gan.dLearningRate, gan.adamBeta1, gan.adamBeta2) : undefined;
  const gOptimizer = fusedAdam(gan.gLearningRate, gan.adamBeta1, gan.adamBeta2);
  const objective = methodObjective(method, gan, shape, seed, discriminator === undefined ? undefined : featureDimension(discriminator));
  return {
    models: { generator, discriminator, conditional: method.conditional, rotation: method.rotation, coTraining: method.coTraining },
    emaGenerator,
    ema,
    dOptimizer,
    gOptimizer,
    generatorOptions: gOptions,
    objective,
    stepOptions: {
      loss: gan.loss,
      rotatedBatchFraction: gan.rotatedBatchFraction,
      rotationWeightD: gan.rotationWeightD,
      rotationWeightG: gan.rotationWeightG,
      objective,
    },
    dispose() {
      objective.dispose();
      ema.dispose();
      dOptimizer?.dispose();
      gOptimizer.dispose();
      generator.dispose();
      discriminator?.dispose();
      emaGenerator.dispose();
    },
  };
}

/**
 * Brings G-EMA up to date: the averaged trainable weights, and G's own non-trainable ones (batch-norm
 * moving statistics), which are not averaged.
 */
export function refreshEmaGenerator(training: GanTraining): void {
  training.ema.copyTo(trainableVariables(training.emaGenerator));
  const source = training.models.generator.nonTrainableWeights;
  const target = training.emaGenerator.nonTrainableWeights;
  tf.tidy(() => target.forEach((weight, i) => weight.write(source[i].read())));
}
