/**
 * ProGAN's drift term on D (Karras et al. ICLR 2018, Appendix A.1), logged as dDrift: mean over the
 * real batch of D(x)², which keeps the Wasserstein critic's output near zero without otherwise
 * constraining it. Weight ε_drift from gan.driftWeight (the paper's 0.001).
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../../util/errors.js';
import type { TermFactory } from './term.js';

export const driftTerms: TermFactory = ({ settings }) => ({
  terms: [
    {
      name: 'drift',
      network: 'discriminator',
      weight: settings.driftWeight ?? 0,
      lossKey: 'dDrift',
      compute(forward) {
        invariant(forward.real !== undefined, 'the drift term reads D on the real batch');
        return { loss: tf.tidy(() => tf.mean(tf.square(forward.real!.record.logit))) as tf.Scalar };
      },
    },
  ],
});
