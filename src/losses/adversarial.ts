/**
 * The adversarial GAN losses of Compare GAN's `gans/loss_lib.py` (non-saturating, WGAN,
 * least-squares, hinge), as pure functions with one signature: discriminator logits in, a named
 * record of scalars out. No variables are read or written; callers run them inside `tf.tidy` or
 * `optimizer.minimize` and pick the term they optimize (`dLoss` for D, `gLoss` for G).
 *
 * Logits: `realLogits` [B] or [B, 1] for real images, `fakeLogits` [B'] or [B', 1] for generated
 * ones (B and B' may differ). Every loss below averages over the batch, so `dLoss = dLossReal +
 * dLossFake` holds for all four.
 */
import * as tf from '@tensorflow/tfjs';
import { invariant, userCheck } from '../util/errors.js';

/** Registry names of the adversarial losses (config values). */
export type AdversarialLossName = 'hinge' | 'non-saturating' | 'wasserstein' | 'least-squares';

/** Discriminator outputs for one real and one fake batch. */
export interface AdversarialLogits {
  /** D's logits on real images: [B] or [B, 1]. */
  readonly realLogits: tf.Tensor;
  /** D's logits on generated images: [B'] or [B', 1]. */
  readonly fakeLogits: tf.Tensor;
}

/** The four scalars of an adversarial loss (Compare GAN's 4-tuple, named). */
export interface AdversarialLoss {
  /** Discriminator loss, minimized by D: dLossReal + dLossFake. */
  readonly dLoss: tf.Scalar;
  /** The part of dLoss from real images. */
  readonly dLossReal: tf.Scalar;
  /** The part of dLoss from generated images. */
  readonly dLossFake: tf.Scalar;
  /** Generator loss, minimized by G. */
  readonly gLoss: tf.Scalar;
}

/** One adversarial loss: logits in, named scalars out. */
export type AdversarialLossFn = (logits: AdversarialLogits) => AdversarialLoss;

/** Flattens [n] or [n, 1] logits to [n]; any other shape is a caller bug. */
function flatLogits(logits: tf.Tensor, what: string): tf.Tensor1D {
  const { shape } = logits;
  invariant(
    (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) && shape[0] > 0,
    `${what} must have shape [batch] or [batch, 1] with batch > 0, got [${shape.join(', ')}]`,
  );
  invariant(logits.dtype === 'float32', `${what} must be float32, got ${logits.dtype}`);
  return tf.reshape(logits, [-1]);
}

/** Batch mean as a scalar (tf.mean is typed as returning any rank). */
function mean(x: tf.Tensor): tf.Scalar {
  return tf.mean(x) as tf.Scalar;
}

/** Runs `body` on flattened logits inside a tidy, so only the returned scalars survive. */
function withFlatLogits(
  logits: AdversarialLogits,
  body: (real: tf.Tensor1D, fake: tf.Tensor1D) => Omit<AdversarialLoss, 'dLoss'>,
): AdversarialLoss {
  return tf.tidy(() => {
    const real = flatLogits(logits.realLogits, 'realLogits');
    const fake = flatLogits(logits.fakeLogits, 'fakeLogits');
    const { dLossReal, dLossFake, gLoss } = body(real, fake);
    return { dLoss: tf.add(dLossReal, dLossFake) as tf.Scalar, dLossReal, dLossFake, gLoss };
  });
}

/**
 * Hinge loss (Lim & Ye 2017; Miyato et al. 2018), the S3GAN default:
 *   dLossReal = mean(relu(1 − real)),  dLossFake = mean(relu(1 + fake)),  gLoss = −mean(fake).
 */
export const hingeLoss: AdversarialLossFn = (logits) =>
  withFlatLogits(logits, (real, fake) => ({
    dLossReal: mean(tf.relu(tf.sub(1, real))),
    dLossFake: mean(tf.relu(tf.add(1, fake))),
    gLoss: tf.neg(mean(fake)),
  }));

/**
 * Non-saturating loss (Goodfellow et al. 2014): sigmoid cross-entropy with label 1 for real and 0
 * for fake in D, and label 1 for fake in G (instead of minimizing log(1 − D), which saturates).
 * With softplus(x) = log(1 + eˣ) = −log σ(−x):
 *   dLossReal = mean(softplus(−real)),  dLossFake = mean(softplus(fake)),
 *   gLoss = mean(softplus(−fake)).
 */
export const nonSaturatingLoss: AdversarialLossFn = (logits) =>
  withFlatLogits(logits, (real, fake) => ({
    dLossReal: mean(tf.softplus(tf.neg(real))),
    dLossFake: mean(tf.softplus(fake)),
    gLoss: mean(tf.softplus(tf.neg(fake))),
  }));

/**
 * Wasserstein loss (Arjovsky et al. 2017); needs a Lipschitz constraint on D (a penalty or
 * spectral norm) to mean anything:
 *   dLossReal = −mean(real),  dLossFake = mean(fake),  gLoss = −mean(fake).
 */
export const wassersteinLoss: AdversarialLossFn = (logits) =>
  withFlatLogits(logits, (real, fake) => ({
    dLossReal: tf.neg(mean(real)),
    dLossFake: mean(fake),
    gLoss: tf.neg(mean(fake)),
  }));

/**
 * Least-squares loss (Mao et al. 2017) in Compare GAN's convention: the squares are taken of D's
 * probabilities p = σ(logit), not of the raw logits, with targets 1 (real) and 0 (fake) for D and
 * 1 for G, and a factor ½ on both players:
 *   dLossReal = ½·mean((σ(real) − 1)²),  dLossFake = ½·mean(σ(fake)²),
 *   gLoss = ½·mean((σ(fake) − 1)²).
 * Compare GAN reports dLossReal and dLossFake without the ½ and halves only their sum; here the ½
 * sits in each term so that dLoss = dLossReal + dLossFake, as for the other losses.
 */
export const leastSquaresLoss: AdversarialLossFn = (logits) =>
  withFlatLogits(logits, (real, fake) => {
    const pReal = tf.sigmoid(real);
    const pFake = tf.sigmoid(fake);
    return {
      dLossReal: tf.mul(0.5, mean(tf.square(tf.sub(pReal, 1)))),
      dLossFake: tf.mul(0.5, mean(tf.square(pFake))),
      gLoss: tf.mul(0.5, mean(tf.square(tf.sub(pFake, 1)))),
    };
  });

/** Every adversarial loss by registry name. */
export const ADVERSARIAL_LOSSES: Readonly<Record<AdversarialLossName, AdversarialLossFn>> = Object.freeze({
  hinge: hingeLoss,
  'non-saturating': nonSaturatingLoss,
  wasserstein: wassersteinLoss,
  'least-squares': leastSquaresLoss,
});

/** Whether `name` is a registered adversarial loss. */
export function isAdversarialLossName(name: string): name is AdversarialLossName {
  return Object.prototype.hasOwnProperty.call(ADVERSARIAL_LOSSES, name);
}

/** The loss registered as `name`; a UserError listing the known names otherwise. */
export function getAdversarialLoss(name: string): AdversarialLossFn {
  userCheck(
    isAdversarialLossName(name),
    () => `unknown adversarial loss '${name}'; known: ${Object.keys(ADVERSARIAL_LOSSES).join(', ')}`,
  );
  return ADVERSARIAL_LOSSES[name];
}

/** Applies the adversarial loss `name` to one real and one fake batch of logits. */
export function adversarialLoss(name: AdversarialLossName, logits: AdversarialLogits): AdversarialLoss {
  return getAdversarialLoss(name)(logits);
}
