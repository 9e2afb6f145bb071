/**
 * One training call of a batch norm layer: the fused kernel (src/ops batchNormTraining) normalises
 * x with the batch statistics, scales and shifts it, and the layer's moving statistics take the
 * new averages it returns. Shared by the layers that keep moving statistics as LayerVariables.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining } from '../../ops/index.js';

export interface BatchNormStepOptions {
  /** [C] or [B, C]. */
  readonly scale: tf.Tensor;
  /** [C] or [B, C]. */
  readonly offset: tf.Tensor;
  /** The layer's moving statistics [C]; both are written. */
  readonly movingMean: tf.LayerVariable;
  readonly movingVariance: tf.LayerVariable;
  readonly momentum: number;
  readonly epsilon: number;
}

/** y for x [B, C] or [B, H, W, C]; updates the moving statistics as a side effect. */
export function batchNormTrainingStep(x: tf.Tensor, options: BatchNormStepOptions): tf.Tensor {
  const { movingMean, movingVariance, ...rest } = options;
  const out = batchNormTraining(x, { ...rest, movingMean: movingMean.read(), movingVariance: movingVariance.read() });
  movingMean.write(out.movingMean as tf.Tensor);
  movingVariance.write(out.movingVariance as tf.Tensor);
  return out.y;
}
