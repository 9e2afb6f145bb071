/**
 * A gradient for tfjs's AvgPoolGrad kernel, so that gradients of gradients pass the average pooling
 * of the ResNet discriminator (gradient penalties differentiate D's input gradient; tfjs 4.22
 * registers none). AvgPoolGrad(dy, input) spreads each pooled gradient evenly over its window: it is
 * linear in dy and reads `input` only for its shape. Its gradient with respect to dy is therefore
 * the adjoint of that spreading, the average pool itself with the same window, stride and padding;
 * with respect to `input` it is zero. Importing this module registers it; the forward pass and the
 * first gradient are tfjs's own kernels, unchanged.
 */
import * as tf from '@tensorflow/tfjs';

tf.registerGradient({
  kernelName: tf.AvgPoolGrad,
  inputsToSave: ['input'],
  gradFunc: (ddx, saved, attrs) => {
    const [input] = saved;
    const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
    return {
      dy: () => tf.avgPool(ddx as tf.Tensor4D, filterSize, strides, pad as 'valid' | 'same' | number),
      input: () => tf.zerosLike(input),
    };
  },
});
