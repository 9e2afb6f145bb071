/**
 * tfjs-layers' BatchNormalization with its training call as one fused kernel (src/ops
 * batchNormTraining: statistics, normalisation, scale, shift and the moving averages in one call, and
 * one call for the gradient) instead of tf.moments, tf.batchNorm, the moving-average updates and the
 * gradients of each. The same weights, the same inference path, and the same class name in a saved
 * model: plain tfjs loads it as its own BatchNormalization. Calls the fused kernel does not cover
 * (another axis, no γ or β) go to the parent's.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTrainingStep } from './batch-norm-step.js';

/** The arguments of tf.layers.batchNormalization. */
export type BatchNormalizationArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type BatchNormalizationClass = new (args?: BatchNormalizationArgs) => tf.layers.Layer;

/** tfjs-layers registers its own class under this name; that registration is read, not changed. */
const registered = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization;
if (registered === undefined) throw new Error('tfjs-layers registers no BatchNormalization class');
const BatchNormalizationBase = registered[0] as unknown as BatchNormalizationClass;

/** Reads the weights the parent keeps in fields its public type does not show. */
interface BatchNormalizationState {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

export class FusedBatchNormalization extends BatchNormalizationBase {
  /** Saved models name the parent, so that they load without s3gan. */
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const state = this as unknown as BatchNormalizationState;
    const lastAxis = state.axis === -1 || state.axis === x.rank - 1;
    const fusable = kwargs.training === true && (x.rank === 2 || x.rank === 4) && lastAxis && state.gamma !== null && state.beta !== null;
    if (!fusable) return super.call(inputs, kwargs);
    return tf.tidy(() =>
      batchNormTrainingStep(x, {
        scale: (state.gamma as tf.LayerVariable).read(),
        offset: (state.beta as tf.LayerVariable).read(),
        movingMean: state.movingMean,
        movingVariance: state.movingVariance,
        momentum: state.momentum,
        epsilon: state.epsilon,
      }),
    );
  }
}

/** Drop-in for tf.layers.batchNormalization whose training calls run the fused kernel. */
export function fusedBatchNormalization(args: BatchNormalizationArgs): tf.layers.Layer {
  return new FusedBatchNormalization(args);
}
