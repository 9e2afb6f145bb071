/**
 * The co-training term of S2GAN-CO and S3GAN-CO (losses/classification.ts): D's classifier head
 * learns from the labelled real rows (weight gan classifier weight, default 1; logged as
 * dClassifierLoss). Before the update, the head in inference mode predicts a class for every
 * unlabelled real image, and the projection term conditions on that prediction there (integer
 * argmax: no gradient flows through the choice).
 */
import * as tf from '@tensorflow/tfjs';
import { labelledClassificationLoss, projectionLabels } from '../../../losses/classification.js';
import { invariant } from '../../../util/errors.js';
import { applyDiscriminator } from '../../../nn/architectures/discriminator-record.js';
import type { TermFactory } from './term.js';

export const classificationTerms: TermFactory = ({ settings }) => ({
  terms: [
    {
      name: 'classification',
      network: 'discriminator',
      weight: settings.classifierWeight ?? 1,
      lossKey: 'dClassifierLoss',
      realLabels(models, realImages, realLabels) {
        return tf.tidy(() => {
          // The projection input is irrelevant to the class logits; any valid class will do.
          const placeholder = tf.reshape(tf.zerosLike(realLabels), [-1, 1]);
          const record = applyDiscriminator(models.discriminator, [realImages, placeholder], { training: false });
          invariant(record.classLogits !== undefined, 'the classification term needs a discriminator with a classifier head');
          return projectionLabels(realLabels, record.classLogits);
        });
      },
      compute(forward) {
        const classLogits = forward.real?.record.classLogits;
        invariant(classLogits !== undefined && forward.realLabels !== undefined, 'the classification term needs class logits of labelled real images');
        // The head learns from the labelled rows only; unlabelled rows carry UNLABELLED here.
        const { loss, accuracy } = labelledClassificationLoss(classLogits, forward.realLabels);
        return { loss, metrics: { dClassifierAccuracy: accuracy } };
      },
    },
  ],
});
