/**
 * ProGAN's nested-gradient cases (docs/ALGORITHMS.md § ProGAN), made on the backend current when a
 * test runs: the minibatch standard deviation and pixel norm (against finite differences), and the
 * whole D, unconditional and with its projection head, in the middle of a fade-in (a nonzero, finite
 * nested gradient at every kernel).
 */
import * as tf from '@tensorflow/tfjs';
import { proganDiscriminator, setGrowth } from '../../../src/nn/architectures/progan.js';
import { minibatchStddev, pixelNorm } from '../../../src/nn/layers/progan-ops.js';
import type { BuiltCase, CaseMaker } from './cases.js';

function opCase(label: string, op: (x: tf.Tensor) => tf.Tensor): BuiltCase {
  const name = label.replace(/[^A-Za-z0-9]/g, '_');
  const x = tf.variable(tf.randomNormal([4, 2, 2, 3], 0, 1, 'float32', 9), true, `progan_x_${name}`);
  const w = tf.variable(tf.randomNormal(tf.tidy(() => op(x).shape), 0, 1, 'float32', 10), true, `progan_w_${name}`);
  return { label, variables: [w, x], x, score: (input) => tf.sum(tf.mul(op(input), w)), epsilon: 1e-3, dispose: () => tf.dispose([x, w]) };
}

export const PROGAN_LAYER_CASES: readonly CaseMaker[] = [
  { label: 'minibatch standard deviation', make: () => opCase('minibatch standard deviation', (x) => minibatchStddev(x as tf.Tensor4D, 2)) },
  { label: 'pixel norm', make: () => opCase('pixel norm', (x) => pixelNorm(x)) },
];

function discriminatorCase(numClasses: number): BuiltCase {
  const d = proganDiscriminator({ numClasses, width: 2, imageSize: 8, channels: 1, seed: 2, rotationHead: false, classifierHead: false });
  setGrowth(d, { resolution: 8, alpha: 0.5 });
  const x = tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 11);
  const y = tf.tensor2d([0, 1, 2, 1], [4, 1], 'int32');
  return {
    label: `progan D fading in 8×8 (${numClasses === 0 ? 'unconditional' : 'projection'})`,
    variables: d.trainableWeights.map((weight) => weight.read() as tf.Variable),
    x,
    score: (input) => tf.sum(d.apply(numClasses === 0 ? input : [input, y], { training: true }) as tf.Tensor),
    dispose: () => {
      tf.dispose([x, y]);
      d.dispose();
    },
  };
}

export const PROGAN_ARCHITECTURE_CASES: readonly CaseMaker[] = [
  { label: 'progan D fading in 8×8 (unconditional)', make: () => discriminatorCase(0) },
  { label: 'progan D fading in 8×8 (projection)', make: () => discriminatorCase(3) },
];
