/**
 * tanh's gradient computed from its input, so that gradients of gradients through tanh are right.
 * tfjs's own gradient is dy·(1 − y²) with y the saved output; the engine saves a copy of y that the
 * tape records before the Tanh op itself, so a second differentiation never carries the gradient
 * reaching y back to x and silently drops the tanh'' term (a wrong value, not an error). Here the
 * gradient recomputes y = tanh(x) from the saved input: the same first gradient, bit for bit (tanh
 * is deterministic), and a second gradient that includes d(1 − y²)/dx = −2y(1 − y²). Importing this
 * module replaces tfjs's Tanh gradient on every backend; the forward op is unchanged.
 */
import * as tf from '@tensorflow/tfjs';

tf.registerGradient({
  kernelName: tf.Tanh,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    // The same ops in the same order as tfjs's gradient: (1 − y²)·dy.
    return { x: () => tf.mul(tf.sub(1, tf.square(tf.tanh(x))), dy as tf.Tensor) };
  },
});
