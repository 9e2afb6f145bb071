/**
 * DRAGAN's gradient penalty on D (Kodali et al. 2017, Sec. 5; Compare GAN's form), logged as
 * penaltyDragan: mean over samples of (‖∇D(x̃)‖ − 1)² at reals perturbed by σ·(U − 0.5), σ the
 * standard deviation of the real batch, one U ~ U[0, 1] per pixel and channel. Default weight 10.
 */
import { perturbedReals, unitSlopePenalty } from '../../../losses/penalties.js';
import { invariant } from '../../../util/errors.js';
import { inputGradient, uniformDraws } from './input-gradient.js';
import type * as tf from '@tensorflow/tfjs';
import type { TermFactory } from './term.js';

export const draganTerms: TermFactory = ({ settings }) => ({
  terms: [
    {
      name: 'dragan',
      network: 'discriminator',
      weight: settings.penaltyWeight ?? 10,
      lossKey: 'penaltyDragan',
      uniform: 'pixel',
      compute(forward) {
        invariant(forward.realImages !== undefined, 'DRAGAN needs the real batch');
        const u = uniformDraws(forward, forward.realImages.shape) as tf.Tensor4D;
        return { loss: unitSlopePenalty(inputGradient(forward, perturbedReals(forward.realImages, u))) };
      },
    },
  ],
});
