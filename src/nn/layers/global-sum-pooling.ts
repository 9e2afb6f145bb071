/**
 * Global sum pooling [B, H, W, C] → [B, C]: the discriminator feature h of SNDCGAN/SN-GAN sums
 * over positions rather than averaging, so its scale grows with the image area (Miyato et al. 2018).
 */
import * as tf from '@tensorflow/tfjs';

export class GlobalSumPooling2D extends tf.layers.Layer {
  static className = 'GlobalSumPooling2D';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = inputShape as tf.Shape;
    return [shape[0], shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.sum(Array.isArray(inputs) ? inputs[0] : inputs, [1, 2]));
  }
}

tf.serialization.registerClass(GlobalSumPooling2D);
