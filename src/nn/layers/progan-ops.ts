/**
 * The tensor pieces of ProGAN (Karras et al., "Progressive Growing of GANs for Improved Quality,
 * Stability, and Variation", ICLR 2018; docs/ALGORITHMS.md § ProGAN), as pure functions on NHWC
 * tensors. Every op here has a gradient whose own gradient tfjs can take (reshape, broadcasting, mean,
 * sqrt), so a gradient penalty can differentiate D twice.
 */
import * as tf from '@tensorflow/tfjs';
import '../../ops/leaky-relu.js';

/** Slope of every LeakyReLU in ProGAN's networks (Sec. 4.1 and Appendix A). */
export const PROGAN_LEAKY_SLOPE = 0.2;

/** ε inside the square roots of pixel norm and the minibatch standard deviation (Sec. 4.2, 3). */
export const PROGAN_EPSILON = 1e-8;

/**
 * He's constant gain/√fanIn (Sec. 4.1, equalized learning rate): weights are stored as N(0, 1)
 * draws and multiplied by this at every forward pass, so Adam's per-weight step sizes see one scale.
 */
export function heConstant(fanIn: number, gain = Math.SQRT2): number {
  if (!(Number.isInteger(fanIn) && fanIn > 0)) throw new Error(`fan-in must be a positive integer, got ${fanIn}`);
  return gain / Math.sqrt(fanIn);
}

/** LeakyReLU with ProGAN's slope 0.2. */
export function proganLeaky<T extends tf.Tensor>(x: T): T {
  return tf.leakyRelu(x, PROGAN_LEAKY_SLOPE);
}

/**
 * Pixelwise feature normalisation (Sec. 4.2, eq. 2): b = a / √(mean over channels of a² + ε), for
 * each pixel (or each row of a [B, F] latent).
 */
export function pixelNorm<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), -1, true), PROGAN_EPSILON))) as T);
}

/**
 * Minibatch standard deviation (Sec. 3): the batch is cut into groups of `groupSize` images, image n
 * in group n mod (B / groupSize); per group, the standard
 * deviation over the group of every feature at every pixel, averaged over features and pixels, is
 * appended to each of the group's images as one constant feature map.
 *   x [B, H, W, C] → [B, H, W, C + 1]
 */
export function minibatchStddev(x: tf.Tensor4D, groupSize: number): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const group = Math.min(groupSize, batch);
  if (batch % group !== 0) throw new Error(`minibatch standard deviation: batch ${batch} is not a multiple of the group size ${group}`);
  const groups = batch / group;
  return tf.tidy(() => {
    const grouped = tf.reshape(x, [group, groups, height, width, channels]);
    const centred = tf.sub(grouped, tf.mean(grouped, 0, true));
    const deviation = tf.sqrt(tf.add(tf.mean(tf.square(centred), 0), PROGAN_EPSILON));
    const perGroup = tf.mean(deviation, [1, 2, 3]);
    // Broadcast by multiplication, not tile: tfjs has no gradient of a rank-5 tile.
    const map = tf.mul(tf.ones([group, groups, height, width, 1]), tf.reshape(perGroup, [1, groups, 1, 1, 1]));
    return tf.concat([x, tf.reshape(map, [batch, height, width, 1])], 3);
  });
}

/** Nearest-neighbour upsampling by an integer factor: each pixel becomes a factor × factor block. */
export function upscaleNearest(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  if (factor === 1) return x;
  const [batch, height, width, channels] = x.shape;
  return tf.tidy(() => {
    // Broadcast by multiplication, not tile: tfjs has no gradient of a rank-6 tile.
    const blocks = tf.mul(tf.reshape(x, [batch, height, 1, width, 1, channels]), tf.ones([1, 1, factor, 1, factor, 1]));
    return tf.reshape(blocks, [batch, height * factor, width * factor, channels]);
  });
}

/**
 * Average pooling by an integer factor (non-overlapping factor × factor windows), as a mean over the
 * window axes of a reshape: its gradient is a broadcast, not an AvgPoolGrad call, which no native
 * kernel covers and whose JavaScript kernel dominated a ProGAN step.
 */
export function downscaleAverage(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  if (factor === 1) return x;
  const [batch, height, width, channels] = x.shape;
  if (height % factor !== 0 || width % factor !== 0) throw new Error(`downscale: ${height}×${width} is not a multiple of ${factor}`);
  return tf.tidy(() => tf.mean(tf.reshape(x, [batch, height / factor, factor, width / factor, factor, channels]), [2, 4]) as tf.Tensor4D);
}

/** a + (b − a)·t, the fade-in blend (t = α: 0 gives a, 1 gives b). */
export function lerp<T extends tf.Tensor>(a: T, b: T, t: number): T {
  return tf.tidy(() => tf.add(a, tf.mul(tf.sub(b, a), t)) as T);
}

/** An equalized-lr convolution: conv(x, kernel · he) + bias, 'same' padding, stride 1. */
export function equalizedConv(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D, gain = Math.SQRT2): tf.Tensor4D {
  const [size, , inChannels] = kernel.shape;
  return tf.tidy(() => tf.add(tf.conv2d(x, tf.mul(kernel, heConstant(size * size * inChannels, gain)) as tf.Tensor4D, 1, 'same'), bias));
}

/** An equalized-lr dense layer: x · (kernel · he) + bias. */
export function equalizedDense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, gain = Math.SQRT2): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(x, tf.mul(kernel, heConstant(kernel.shape[0], gain)) as tf.Tensor2D), bias));
}
