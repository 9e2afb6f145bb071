/**
 * WGAN-GP's gradient penalty on D (Gulrajani et al. 2017, Sec. 4, Algorithm 1), logged as
 * penaltyWganGp: mean over samples of (‖∇D(x̂)‖ − 1)² at x̂ = x + u·(x̃ − x), one u ~ U[0, 1] per
 * sample; the norm is √(1e-4 + Σ g²) as in Compare GAN. Default weight λ = 10 (the paper's, Sec. 4).
 */
import { interpolates, unitSlopePenalty } from '../../../losses/penalties.js';
import { invariant } from '../../../util/errors.js';
import { inputGradient, uniformDraws } from './input-gradient.js';
import type * as tf from '@tensorflow/tfjs';
import type { TermFactory } from './term.js';

export const wganGpTerms: TermFactory = ({ settings }) => ({
  terms: [
    {
      name: 'wganGp',
      network: 'discriminator',
      weight: settings.penaltyWeight ?? 10,
      lossKey: 'penaltyWganGp',
      uniform: 'sample',
      compute(forward) {
        invariant(forward.realImages !== undefined, 'WGAN-GP needs the real batch');
        const batch = forward.realImages.shape[0];
        const u = uniformDraws(forward, [batch]) as tf.Tensor1D;
        return { loss: unitSlopePenalty(inputGradient(forward, interpolates(forward.realImages, forward.fakeImages, u))) };
      },
    },
  ],
});
