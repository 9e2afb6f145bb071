/**
 * Gradients of gradients through ProGAN's discriminator (docs/ALGORITHMS.md § ProGAN), which
 * WGAN-GP differentiates twice, on the cpu backend: the minibatch standard deviation and pixel norm
 * against central finite differences, the whole D (7 kernels unconditional, 8 with the projection
 * embedding) for a finite, nonzero nested gradient at every kernel (helpers.ts).
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { checkNestedGradient, checkNestedGradientReachesWeights } from './helpers.js';
import type { CaseMaker } from './cases.js';
import { PROGAN_ARCHITECTURE_CASES, PROGAN_LAYER_CASES } from './progan-cases.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function run({ make }: CaseMaker, check: typeof checkNestedGradient): (t: import('ava').ExecutionContext) => void {
  return (t) => {
    const c = make();
    try {
      check(t, c);
    } finally {
      c.dispose();
    }
  };
}

for (const c of PROGAN_LAYER_CASES) test.serial(`nested gradient against finite differences: ${c.label}`, run(c, checkNestedGradient));
PROGAN_ARCHITECTURE_CASES.forEach((c, i) =>
  test.serial(`nested gradient reaches every kernel: ${c.label}`, (t) => {
    const built = c.make();
    try {
      t.is(checkNestedGradientReachesWeights(t, built), [7, 8][i]);
    } finally {
      built.dispose();
    }
  }),
);
