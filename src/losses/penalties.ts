/**
 * Regularisers of the discriminator (Compare GAN's penalty menu; docs/ALGORITHMS.md § Gradient
 * penalties), as pure functions of tensors. The input gradients g = ∇_x D(x) are computed by the
 * objective terms (training/gan/objective/), which differentiate D's logit twice.
 */
import * as tf from '@tensorflow/tfjs';

/** Added under the square root of the slope, so its gradient stays finite at g = 0 (Compare GAN). */
export const SLOPE_EPSILON = 1e-4;

/**
 * WGAN-GP's points (Gulrajani et al. 2017, Algorithm 1): x̂ = x + u·(x̃ − x) per sample,
 * real and fake [B, s, s, c], u [B] in [0, 1].
 */
export function interpolates(real: tf.Tensor4D, fake: tf.Tensor4D, u: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => tf.add(real, tf.mul(tf.reshape(u, [-1, 1, 1, 1]), tf.sub(fake, real))));
}

/**
 * DRAGAN's points (Kodali et al. 2017, Sec. 5; Compare GAN's form): x + σ·(U − 0.5), σ the
 * standard deviation of the whole real batch, U [B, s, s, c] in [0, 1], clipped to the image range
 * [−1, 1] (Compare GAN clips to its [0, 1]).
 */
export function perturbedReals(real: tf.Tensor4D, uniform: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const { variance } = tf.moments(real);
    const perturbed = tf.add(real, tf.mul(tf.sqrt(variance), tf.sub(uniform, 0.5)));
    return tf.clipByValue(perturbed, -1, 1) as tf.Tensor4D;
  });
}

/** Σ over pixels and channels of g², per sample: [B, s, s, c] → [B]. */
function squaredNorms(gradients: tf.Tensor4D): tf.Tensor1D {
  return tf.sum(tf.square(gradients), [1, 2, 3]);
}

/** The two-sided penalty of WGAN-GP and DRAGAN: mean over samples of (√(1e-4 + Σ g²) − 1)². */
export function unitSlopePenalty(gradients: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(tf.sqrt(tf.add(squaredNorms(gradients), SLOPE_EPSILON)), 1))));
}

/** R1 (Mescheder et al. 2018, Sec. 4.1, eq. 9) without γ: ½·mean over samples of Σ g². */
export function halfSquaredGradientNorm(gradients: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(squaredNorms(gradients)), 0.5));
}

/** L2 on weights: Σ over the tensors of Σ w²/2 (tf.nn.l2_loss of each, summed). */
export function halfSquaredWeights(weights: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(weights.map((w) => tf.mul(tf.sum(tf.square(w)), 0.5))) as tf.Scalar);
}
