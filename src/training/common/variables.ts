import * as tf from '@tensorflow/tfjs';

/** The tf.Variables behind a model's trainable weights: the explicit variable list of a step. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}
