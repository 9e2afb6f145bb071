/**
 * L2 on D's kernels (Compare GAN's l2_penalty), logged as penaltyL2: Σ w²/2 over the kernels of D's
 * convolutions and dense layers and its projection embedding (biases, batch-norm parameters and
 * spectral-norm vectors excluded). Compare GAN averages the per-layer sums instead; the sum here
 * does not change with the number of layers.
 */
import type * as tf from '@tensorflow/tfjs';
import { halfSquaredWeights } from '../../../losses/penalties.js';
import { invariant } from '../../../util/errors.js';
import type { TermFactory } from './term.js';

/** Variable names of D's kernels (tfjs may append _n to a name it has seen before). */
const KERNEL_NAME = /\/(kernel|embed)(_\d+)?$/;

export function discriminatorKernels(weights: readonly tf.Variable[]): tf.Variable[] {
  return weights.filter((w) => KERNEL_NAME.test(w.name));
}

export const l2PenaltyTerms: TermFactory = ({ settings }) => ({
  terms: [
    {
      name: 'l2',
      network: 'discriminator',
      weight: settings.l2Weight ?? 0,
      lossKey: 'penaltyL2',
      compute(forward) {
        invariant(forward.discriminatorWeights !== undefined, 'the L2 penalty runs in the D step');
        const kernels = discriminatorKernels(forward.discriminatorWeights);
        invariant(kernels.length > 0, 'the discriminator has no kernels to penalise');
        return { loss: halfSquaredWeights(kernels) };
      },
    },
  ],
});
