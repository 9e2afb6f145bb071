/**
 * Gradients of gradients on the onednn backend: the cases of tests/nn/second-order (every
 * discriminator layer and tanh against central finite differences; each whole discriminator's
 * nested gradient reaching every kernel), run on onednn's native kernels.
 */
import { checkNestedGradient, checkNestedGradientReachesWeights } from '../../nn/second-order/helpers.js';
import { ARCHITECTURE_CASES, LAYER_CASES, type BuiltCase } from '../../nn/second-order/cases.js';
import { nativeTest } from './helpers.js';

function run(make: () => BuiltCase, check: typeof checkNestedGradient): Parameters<typeof nativeTest>[1] {
  return (t) => {
    const c = make();
    try {
      check(t, c);
    } finally {
      c.dispose();
    }
  };
}

for (const { label, make } of LAYER_CASES) nativeTest(`onednn: nested gradient against finite differences: ${label}`, run(make, checkNestedGradient));
for (const { label, make } of ARCHITECTURE_CASES) nativeTest(`onednn: nested gradient reaches every kernel: ${label}`, run(make, checkNestedGradientReachesWeights));
