/**
 * The R1 penalty on D (Mescheder et al. 2018, "Which Training Methods for GANs do actually
 * Converge?", Sec. 4.1, eq. 9), logged as penaltyR1: ½·mean over real samples of ‖∇D(x)‖²; the
 * term's weight is γ (default 10, the paper's value for its CelebA and LSUN experiments, Sec. 4.2).
 */
import { halfSquaredGradientNorm } from '../../../losses/penalties.js';
import { invariant } from '../../../util/errors.js';
import { inputGradient } from './input-gradient.js';
import type { TermFactory } from './term.js';

export const r1Terms: TermFactory = ({ settings }) => ({
  terms: [
    {
      name: 'r1',
      network: 'discriminator',
      weight: settings.penaltyWeight ?? 10,
      lossKey: 'penaltyR1',
      compute(forward) {
        invariant(forward.realImages !== undefined, 'R1 needs the real batch');
        return { loss: halfSquaredGradientNorm(inputGradient(forward, forward.realImages)) };
      },
    },
  ],
});
