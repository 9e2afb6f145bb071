/**
 * Adam (Kingma & Ba 2015) with one fused kernel call per variable (src/backend/fused-updates.ts)
 * where the backend has it (cpu, onednn), instead of tfjs's chain of about a dozen elementwise
 * kernels per variable. It is a tf.AdamOptimizer: the same moment variables under the same names,
 * the same β^t running products and iteration count, so getWeights/setWeights and
 * saveOptimizerState/loadOptimizerState (optimizer-state.ts) read and write exactly what they did,
 * and the numbers are bit-identical to tfjs's on cpu and onednn. Other backends run tfjs's own
 * applyGradients.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, hasFusedKernel, registerFusedCpuKernels, type AdamUpdateAttrs } from '../../backend/fused-updates.js';

/** tfjs's AdamOptimizer's private state, reused so that its weights and checkpoints are unchanged. */
interface AdamSlots {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1: number, beta2: number, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
    registerFusedCpuKernels();
  }

  override applyGradients(variableGradients: VariableGradients): void {
    if (!hasFusedKernel(ADAM_UPDATE)) {
      super.applyGradients(variableGradients);
      return;
    }
    const slots = this as unknown as AdamSlots;
    const named = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const attrs: AdamUpdateAttrs = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, slots.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, slots.accBeta2);
      named.forEach(({ name, tensor: gradient }, i) => {
        const value = tf.engine().registeredVariables[name];
        // The slots tfjs's AdamOptimizer would create, under its names, in its order.
        slots.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        slots.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (gradient == null) return;
        const firstMoment = slots.accumulatedFirstMoment[i].variable;
        const secondMoment = slots.accumulatedSecondMoment[i].variable;
        const inputs = { param: value, gradient, m: firstMoment, v: secondMoment, oneMinusAccBeta1, oneMinusAccBeta2 };
        const [newValue, newFirstMoment, newSecondMoment] = tf.engine().runKernel(ADAM_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        firstMoment.assign(newFirstMoment);
        secondMoment.assign(newSecondMoment);
        value.assign(newValue);
      });
      slots.accBeta1.assign(tf.mul(slots.accBeta1, this.beta1));
      slots.accBeta2.assign(tf.mul(slots.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** tf.train.adam's signature, with the fused update. */
export function fusedAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
