/**
 * Gradients of gradients through every layer of s3gan's discriminators and through each whole
 * discriminator (sndcgan, resnet, dcgan; projection, rotation and classifier heads), on the cpu
 * backend: each layer against central finite differences, each whole discriminator for a finite,
 * nonzero nested gradient at every kernel (helpers.ts). Gradient penalties (WGAN-GP, DRAGAN,
 * R1) need exactly these.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { checkNestedGradient, checkNestedGradientReachesWeights } from './helpers.js';
import { ARCHITECTURE_CASES, LAYER_CASES, type BuiltCase } from './cases.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function run(make: () => BuiltCase, check: typeof checkNestedGradient = checkNestedGradient): (t: import('ava').ExecutionContext) => void {
  return (t) => {
    const c = make();
    try {
      check(t, c);
    } finally {
      c.dispose();
    }
  };
}

for (const { label, make } of LAYER_CASES) test.serial(`nested gradient against finite differences: ${label}`, run(make));
for (const { label, make } of ARCHITECTURE_CASES) test.serial(`nested gradient reaches every kernel: ${label}`, run(make, checkNestedGradientReachesWeights));
