/**
 * MvM (docs/ALGORITHMS.md § MvM; losses/manifold/mvm.ts): a metric network F, trained in a phase of
 * its own with a triplet loss, and a generator term that matches the real and fake manifolds in F's
 * embedding. No discriminator.
 *   G: minimise manifoldMatchingLoss(F(real), F(G(z))) = diameter + centroid, logged as matchingLoss
 *      (its parts as matchingDiameter and matchingCentroid); only G's variables are updated.
 *   F: right after G's update, on the same real batch and on fakes regenerated from the same z by
 *      the updated G (no gradient to G), minimise the triplet loss (anchor real, positive permuted
 *      real, negative permuted fake), logged as metricLoss. F's optimizer sees the triplet gradient
 *      alone: the matching loss is not added to it (the reference's uncleared gradients are not
 *      copied; § MvM says why).
 * With classes (cmvm), G's fakes take the real batch's labels and F embeds (image, label) pairs.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_ANGULAR_WEIGHT, DEFAULT_TRIPLET_MARGIN, drawTripletPermutations, manifoldMatchingLoss, metricTripletLoss } from '../../../losses/manifold/mvm.js';
import { DEFAULT_METRIC_EMBEDDING_SIZE, DEFAULT_METRIC_WIDTH, metricNetwork } from '../../../nn/architectures/metric-network.js';
import { invariant } from '../../../util/errors.js';
import type { Rng } from '../../../util/rng.js';
import { fusedAdam } from '../../common/fused-adam.js';
import { trainableVariables } from '../../common/variables.js';
import type { TrainedModels } from '../steps.js';
import { asLabelInput } from './forward.js';
import type { PhaseNetwork, TermContext, TermFactory } from './term.js';

/** The metric network's name: its checkpoint directory `metric/` and optimizer `optimizer-metric`. */
export const METRIC_NETWORK = 'metric';
/** The reference's F optimizer (train.py): Adam 1e-4, β (0.5, 0.999), ε 1e-3. */
export const DEFAULT_METRIC_LEARNING_RATE = 1e-4;
export const DEFAULT_METRIC_ADAM_BETA1 = 0.5;
export const DEFAULT_METRIC_ADAM_BETA2 = 0.999;
export const DEFAULT_METRIC_ADAM_EPSILON = 1e-3;
/** Offset of F's per-layer seeds from the run's seed (G counts up from it, D from +10 000). */
const METRIC_SEED_OFFSET = 20_000;

/** F's embedding of `images` (with their labels when F is conditional), [B, E]. */
export function embed(model: tf.LayersModel, images: tf.Tensor4D, labels: tf.Tensor1D | undefined): tf.Tensor2D {
  const conditional = model.inputs.length > 1;
  invariant(!conditional || labels !== undefined, 'a conditional metric network needs the labels of its images');
  return model.apply(conditional ? [images, asLabelInput(labels!)] : images, { training: true }) as tf.Tensor2D;
}

/** The generator's fakes for `z` and `labels` without a gradient path to G (the reference's detach()). */
function regenerate(models: TrainedModels, z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor4D {
  const inputs = models.conditional ? [z, asLabelInput(labels)] : z;
  return models.generator.apply(inputs, { training: true }) as tf.Tensor4D;
}

function metricPhase(context: TermContext, conditional: boolean): PhaseNetwork {
  const { settings, shape } = context;
  invariant(shape !== undefined, 'the metric network needs the image shape');
  const model = metricNetwork({
    imageSize: shape.imageSize,
    channels: shape.channels,
    width: settings.metricWidth ?? DEFAULT_METRIC_WIDTH,
    embeddingSize: settings.metricEmbeddingSize ?? DEFAULT_METRIC_EMBEDDING_SIZE,
    seed: (context.seed ?? 0) + METRIC_SEED_OFFSET,
    numClasses: conditional ? shape.numClasses : 0,
  });
  const optimizer = fusedAdam(
    settings.metricLearningRate ?? DEFAULT_METRIC_LEARNING_RATE,
    settings.metricAdamBeta1 ?? DEFAULT_METRIC_ADAM_BETA1,
    settings.metricAdamBeta2 ?? DEFAULT_METRIC_ADAM_BETA2,
    settings.metricAdamEpsilon ?? DEFAULT_METRIC_ADAM_EPSILON,
  );
  const triplet = { margin: settings.tripletMargin ?? DEFAULT_TRIPLET_MARGIN, angularWeight: settings.tripletAngularWeight ?? DEFAULT_ANGULAR_WEIGHT };
  return {
    name: METRIC_NETWORK,
    model,
    optimizer,
    update(models, batch, rng: Rng) {
      // 1. Fakes from the updated G and the same z, outside the loss closure: no gradient reaches G.
      const fakes = tf.tidy(() => regenerate(models, batch.z, batch.fakeLabels));
      // 2. The two permutations of the triplets, from the checkpointed noise stream.
      const permutations = drawTripletPermutations(batch.realImages.shape[0], rng);
      let separated: tf.Scalar | undefined;
      try {
        // 3. One Adam step of F on the triplet loss alone.
        const cost = optimizer.minimize(() => {
          const real = embed(model, batch.realImages, batch.realLabels);
          const fake = embed(model, fakes, batch.fakeLabels);
          const result = metricTripletLoss(real, fake, permutations, triplet);
          separated = tf.keep(result.separatedFraction);
          return result.loss;
        }, true, trainableVariables(model));
        const metricLoss = cost!.dataSync()[0];
        cost!.dispose();
        return { metricLoss, metricSeparatedFraction: separated!.dataSync()[0] };
      } finally {
        tf.dispose([fakes, permutations.positive, permutations.negative, separated!]);
      }
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** Conditional when the method is (cmvm). The network exists only when a run builds the objective (shape given). */
export const manifoldMatchingTerms: TermFactory = (context) => {
  const conditional = context.conditional === true;
  return {
    terms: [
      {
        name: 'manifoldMatching',
        network: 'generator',
        weight: 1,
        lossKey: 'matchingLoss',
        readsReal: true,
        readsDiscriminator: false,
        ...(conditional ? { fakeLabels: 'real' as const } : {}),
        compute(forward) {
          const model = forward.networks[METRIC_NETWORK];
          invariant(model !== undefined && forward.realImages !== undefined, 'the manifold-matching term needs the metric network and a real batch');
          const real = embed(model, forward.realImages, forward.realLabels);
          const fake = embed(model, forward.fakeImages, forward.fakeLabels);
          const { total, diameter, centroid } = manifoldMatchingLoss(real, fake);
          return { loss: total, metrics: { matchingDiameter: diameter, matchingCentroid: centroid } };
        },
      },
    ],
    networks: context.shape === undefined ? [] : [metricPhase(context, conditional)],
  };
};
