/**
 * Gradients of gradients through ProGAN's discriminator (docs/ALGORITHMS.md § ProGAN), which
 * WGAN-GP differentiates twice: the minibatch standard deviation and pixel norm against central
 * finite differences, and the whole D (unconditional and conditional) in the middle of a fade-in
 * for a finite, nonzero nested gradient at every kernel (helpers.ts).
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { setGrowth, proganDiscriminator } from '../../../src/nn/architectures/progan.js';
import { minibatchStddev, pixelNorm } from '../../../src/nn/layers/progan-ops.js';
import { checkNestedGradient, checkNestedGradientReachesWeights } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const OPS = [
  { label: 'minibatch standard deviation', op: (x: tf.Tensor) => minibatchStddev(x as tf.Tensor4D, 2) },
  { label: 'pixel norm', op: (x: tf.Tensor) => pixelNorm(x) },
];

for (const { label, op } of OPS) {
  test.serial(`nested gradient against finite differences: ${label}`, (t) => {
    const x = tf.variable(tf.randomNormal([4, 2, 2, 3], 0, 1, 'float32', 9), true, `progan_x_${label.replace(/ /g, '_')}`);
    const outShape = op(x).shape;
    const w = tf.variable(tf.randomNormal(outShape, 0, 1, 'float32', 10), true, `progan_w_${label.replace(/ /g, '_')}`);
    try {
      checkNestedGradient(t, { label, variables: [w, x], x, score: (input) => tf.sum(tf.mul(op(input), w)), epsilon: 1e-3 });
    } finally {
      tf.dispose([x, w]);
    }
  });
}

for (const numClasses of [0, 3]) {
  test.serial(`nested gradient reaches every kernel: progan D fading in 8×8 (${numClasses === 0 ? 'unconditional' : 'projection'})`, (t) => {
    const d = proganDiscriminator({ numClasses, width: 2, imageSize: 8, channels: 1, seed: 2, rotationHead: false, classifierHead: false });
    setGrowth(d, { resolution: 8, alpha: 0.5 });
    const x = tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 11);
    const y = tf.tensor2d([0, 1, 2, 1], [4, 1], 'int32');
    try {
      const variables = d.trainableWeights.map((weight) => weight.read() as tf.Variable);
      const score = (input: tf.Tensor): tf.Scalar => tf.sum(d.apply(numClasses === 0 ? input : [input, y], { training: true }) as tf.Tensor);
      t.is(checkNestedGradientReachesWeights(t, { label: 'progan D', variables, x, score }), numClasses === 0 ? 7 : 8);
    } finally {
      tf.dispose([x, y]);
      d.dispose();
    }
  });
}
