/**
 * Adam's state as bytes, so a resumed run continues with the same moments, step count and bias
 * corrections as an uninterrupted one. tfjs's getWeights/setWeights cover the moments and the
 * iteration count but recompute the bias-correction powers β^t with pow() on restore, which can
 * differ in the last bit from the running products; those two scalars are saved and restored too.
 */
import * as tf from '@tensorflow/tfjs';

export interface OptimizerState {
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly data: ArrayBuffer;
}

/** The private running products of tfjs's AdamOptimizer (β1^t, β2^t). */
interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

const BIAS_CORRECTION_NAMES = ['s3gan/adam/acc_beta1', 's3gan/adam/acc_beta2'] as const;

export async function saveOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const weights = await optimizer.getWeights();
  const internals = optimizer as unknown as AdamInternals;
  const extra: { name: string; tensor: tf.Tensor }[] = [];
  if (internals.accBeta1 !== undefined && internals.accBeta2 !== undefined) {
    extra.push({ name: BIAS_CORRECTION_NAMES[0], tensor: internals.accBeta1 }, { name: BIAS_CORRECTION_NAMES[1], tensor: internals.accBeta2 });
  }
  try {
    const encoded = await tf.io.encodeWeights([...weights, ...extra]);
    const data = Array.isArray(encoded.data) ? tf.io.concatenateArrayBuffers(encoded.data) : encoded.data;
    return { specs: encoded.specs, data };
  } finally {
    // getWeights returns the live moment variables plus one fresh iteration scalar ('iter').
    weights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
  }
}

export async function loadOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const decoded = tf.io.decodeWeights(state.data, state.specs);
  const corrections = new Set<string>(BIAS_CORRECTION_NAMES);
  const weights = state.specs.filter((spec) => !corrections.has(spec.name)).map((spec) => ({ name: spec.name, tensor: decoded[spec.name] }));
  try {
    await optimizer.setWeights(weights);
    const internals = optimizer as unknown as AdamInternals;
    const [beta1, beta2] = BIAS_CORRECTION_NAMES.map((name) => decoded[name]);
    if (beta1 !== undefined && beta2 !== undefined && internals.accBeta1 !== undefined && internals.accBeta2 !== undefined) {
      internals.accBeta1.assign(beta1 as tf.Scalar);
      internals.accBeta2.assign(beta2 as tf.Scalar);
    }
  } finally {
    // setWeights made variables of the moment tensors (they share data); the decoded handles go.
    tf.dispose(Object.values(decoded));
  }
}
