/**
 * The adversarial term (losses/adversarial.ts, the configured gan.loss) on the logits of the
 * unrotated rows: L_D = dLossReal + dLossFake, logged by its two parts; L_G = gLoss, which reads only
 * the fake logits (the total, gLoss, is what the metrics log shows for G).
 */
import * as tf from '@tensorflow/tfjs';
import { adversarialLoss } from '../../../losses/adversarial.js';
import { invariant } from '../../../util/errors.js';
import type { ScoredImages, TermFactory } from './term.js';

/** [B, 1] logits → [B]. */
function flatLogits(scored: ScoredImages): tf.Tensor1D {
  return tf.reshape(scored.record.logit, [scored.record.logit.shape[0]]) as tf.Tensor1D;
}

export const adversarialTerms: TermFactory = ({ settings }) => ({
  terms: [
    {
      name: 'adversarial',
      network: 'discriminator',
      weight: 1,
      lossKey: null,
      compute(forward) {
        invariant(forward.real !== undefined, 'the adversarial D term needs D on real images');
        const loss = adversarialLoss(settings.loss, { realLogits: flatLogits(forward.real), fakeLogits: flatLogits(forward.fake) });
        return { loss: loss.dLoss, metrics: { dLossReal: loss.dLossReal, dLossFake: loss.dLossFake } };
      },
    },
    {
      name: 'adversarial',
      network: 'generator',
      weight: 1,
      lossKey: null,
      compute(forward) {
        const fakeLogits = flatLogits(forward.fake);
        // The G loss only reads the fake logits; the real side is a placeholder of the same shape.
        return { loss: adversarialLoss(settings.loss, { realLogits: tf.zerosLike(fakeLogits), fakeLogits }).gLoss };
      },
    },
  ],
});

/** The adversarial D term alone, for methods whose G minimises other terms (MMGAN: docs/ALGORITHMS.md § MMGAN). */
export const discriminatorAdversarialTerms: TermFactory = (context) => ({
  terms: adversarialTerms(context).terms.filter((term) => term.network === 'discriminator'),
});
