/**
 * MMGAN's manifold-matching generator term (losses/manifold/mmgan.ts; docs/ALGORITHMS.md § MMGAN):
 * G is pulled towards the real manifold of D's pooled features h, matching centroids and radii in the
 * RKHS of a Gaussian kernel and the features' correlation matrices. The real manifold is a moving
 * average across minibatches (losses/manifold/manifold-memory.ts), kept as the term's state so that
 * checkpoints hold it and a resumed run continues exactly; the fake manifold is the current batch.
 * Logged as gManifoldLoss (unweighted) with its parts manifoldCentroid, manifoldRadius and
 * manifoldCorrelation, and the kernel's σ² as manifoldSquaredBandwidth.
 */
import * as tf from '@tensorflow/tfjs';
import { withoutGradient } from '../../../losses/manifold/geometry.js';
import { DEFAULT_MANIFOLD_DECAY, DEFAULT_MANIFOLD_MEMORY_BATCHES, updateManifoldMemory } from '../../../losses/manifold/manifold-memory.js';
import {
  DEFAULT_CENTROID_WEIGHT,
  DEFAULT_CORRELATION_WEIGHT,
  DEFAULT_RADIUS_WEIGHT,
  medianHeuristicBandwidth,
  mmganManifoldLoss,
  uniformSet,
} from '../../../losses/manifold/mmgan.js';
import { invariant } from '../../../util/errors.js';
import type { TermFactory, TermSettings } from './term.js';

/** Batch size the memory is sized by when the settings carry none (the gan.batchSize default). */
const DEFAULT_BATCH_SIZE = 64;

function checkNonNegative(value: number, key: string): number {
  invariant(Number.isFinite(value) && value >= 0, `gan.${key} must be a finite number ≥ 0, got ${value}`);
  return value;
}

/**
 * The term's weight in L_G: gan.manifoldWeight when > 0; 1 when it is 0, which happens only for a
 * method that lists the term itself (mmgan), since otherwise a zero weight leaves the term out.
 */
function termWeight(settings: TermSettings): number {
  const weight = checkNonNegative(settings.manifoldWeight ?? 0, 'manifoldWeight');
  return weight > 0 ? weight : 1;
}

/** σ² from gan.manifoldBandwidth: σ in feature units, or the median heuristic on this step's features. */
function squaredBandwidth(bandwidth: 'median' | number, real: tf.Tensor2D, fake: tf.Tensor2D): tf.Scalar | number {
  if (bandwidth !== 'median') return bandwidth * bandwidth;
  // Both batches, so that early in training, with the manifolds far apart, the kernel still spans them.
  return medianHeuristicBandwidth(tf.concat([real, fake], 0));
}

export const manifoldTerms: TermFactory = ({ settings, featureDim }) => {
  const batchSize = settings.batchSize ?? DEFAULT_BATCH_SIZE;
  const batches = settings.manifoldMemoryBatches ?? DEFAULT_MANIFOLD_MEMORY_BATCHES;
  const decay = settings.manifoldDecay ?? DEFAULT_MANIFOLD_DECAY;
  const bandwidth = settings.manifoldBandwidth ?? 'median';
  invariant(Number.isInteger(batches) && batches > 0, `gan.manifoldMemoryBatches must be a positive integer, got ${batches}`);
  invariant(decay >= 0 && decay < 1, `gan.manifoldDecay must be in [0, 1), got ${decay}`);
  invariant(bandwidth === 'median' || (Number.isFinite(bandwidth) && bandwidth > 0), `gan.manifoldBandwidth must be 'median' or a number > 0, got ${bandwidth}`);
  const weights = {
    centroidWeight: checkNonNegative(settings.manifoldCentroidWeight ?? DEFAULT_CENTROID_WEIGHT, 'manifoldCentroidWeight'),
    radiusWeight: checkNonNegative(settings.manifoldRadiusWeight ?? DEFAULT_RADIUS_WEIGHT, 'manifoldRadiusWeight'),
    correlationWeight: checkNonNegative(settings.manifoldCorrelationWeight ?? DEFAULT_CORRELATION_WEIGHT, 'manifoldCorrelationWeight'),
  };
  // Without D's feature width (an objective built only to list its terms) the memory has no columns
  // and compute refuses; a training run always passes it.
  const width = featureDim ?? 0;
  const rows = batches * batchSize;
  return {
    terms: [
      {
        name: 'manifold',
        network: 'generator',
        weight: termWeight(settings),
        lossKey: 'gManifoldLoss',
        readsReal: true,
        // The real manifold's moving average: the last `batches` batches of real features, newest
        // first, and their weights (all 0 until the first update: empty slots count for nothing).
        state: [
          { name: 'realPoints', shape: [rows, width] },
          { name: 'realWeights', shape: [rows] },
        ],
        compute(forward, state) {
          invariant(forward.real !== undefined, 'the manifold term needs D on real images');
          const realFeatures = forward.real.record.features;
          const fakeFeatures = forward.fake.record.features;
          invariant(
            realFeatures.shape[0] === batchSize && realFeatures.shape[1] === width,
            `the manifold term's memory holds batches of [${batchSize}, ${width}] features, got [${realFeatures.shape.join(', ')}]`,
          );
          // 1. The real batch joins the memory as constants: no gradient reaches D's or G's weights through it.
          const realBatch = withoutGradient((x) => x.clone(), realFeatures) as tf.Tensor2D;
          const memory = updateManifoldMemory({ points: state.realPoints as tf.Tensor2D, weights: state.realWeights as tf.Tensor1D }, realBatch, decay);
          // 2. The kernel's σ², a constant for backprop.
          const sigma2 = squaredBandwidth(bandwidth, realBatch, withoutGradient((x) => x.clone(), fakeFeatures) as tf.Tensor2D);
          // 3. The fake manifold is the current batch, through which the gradient reaches G.
          const loss = mmganManifoldLoss(memory, uniformSet(fakeFeatures), { squaredBandwidth: sigma2, ...weights });
          return {
            loss: loss.total,
            metrics: {
              manifoldCentroid: loss.centroid,
              manifoldRadius: loss.radius,
              manifoldCorrelation: loss.correlation,
              manifoldSquaredBandwidth: typeof sigma2 === 'number' ? tf.scalar(sigma2) : sigma2,
            },
            nextState: { realPoints: memory.points, realWeights: memory.weights },
          };
        },
      },
    ],
  };
};
