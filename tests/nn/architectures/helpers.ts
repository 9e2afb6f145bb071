import type { ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';

/** Labels as the models take them: [B, 1] int32. */
export function labels(values: number[]): tf.Tensor2D {
  return tf.tensor2d(values, [values.length, 1], 'int32');
}

/**
 * Calls `model` in training mode on `inputs` twice: the first call builds its weights, the second
 * runs under tidy and must leave the tensor count unchanged. Returns the second call's outputs as
 * shapes and values.
 */
export function leakFreeTrainingCall(t: ExecutionContext, model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[]): { shape: number[]; values: Float32Array }[] {
  tf.dispose(model.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[]);
  const before = tf.memory().numTensors;
  const outputs = tf.tidy(() => {
    const result = model.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(result) ? result : [result]).map((o) => ({ shape: o.shape, values: o.dataSync() as Float32Array }));
  });
  t.is(tf.memory().numTensors, before, 'a training call leaves no tensor behind');
  return outputs;
}
