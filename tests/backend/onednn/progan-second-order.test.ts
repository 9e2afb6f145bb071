/**
 * Gradients of gradients through ProGAN's discriminator on the onednn backend: the cases of
 * tests/nn/second-order/progan-cases.ts on onednn's native kernels.
 */
import { checkNestedGradient, checkNestedGradientReachesWeights } from '../../nn/second-order/helpers.js';
import type { CaseMaker } from '../../nn/second-order/cases.js';
import { PROGAN_ARCHITECTURE_CASES, PROGAN_LAYER_CASES } from '../../nn/second-order/progan-cases.js';
import { nativeTest } from './helpers.js';

function run({ make }: CaseMaker, check: typeof checkNestedGradient): Parameters<typeof nativeTest>[1] {
  return (t) => {
    const c = make();
    try {
      check(t, c);
    } finally {
      c.dispose();
    }
  };
}

for (const c of PROGAN_LAYER_CASES) nativeTest(`onednn: nested gradient against finite differences: ${c.label}`, run(c, checkNestedGradient));
for (const c of PROGAN_ARCHITECTURE_CASES) nativeTest(`onednn: nested gradient reaches every kernel: ${c.label}`, run(c, checkNestedGradientReachesWeights));
