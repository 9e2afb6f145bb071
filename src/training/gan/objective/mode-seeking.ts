/**
 * The mode-seeking term of MSGAN (losses/mode-seeking.ts; docs/ALGORITHMS.md § Mode seeking), in L_G
 * with weight gan.modeSeekingWeight: the batch's first half and second half are generated from
 * independent z for the same classes (the term sets `pairsFakeLabels`), and G is penalised when a
 * pair's images are close for latent vectors far apart. Logged unweighted as gModeSeeking, with the
 * distance ratio as gModeSeekingRatio.
 */
import { modeSeekingLoss } from '../../../losses/mode-seeking.js';
import { invariant } from '../../../util/errors.js';
import type { TermFactory } from './term.js';

export const modeSeekingTerms: TermFactory = ({ settings }) => {
  const weight = settings.modeSeekingWeight ?? 0;
  invariant(Number.isFinite(weight) && weight >= 0, `modeSeekingWeight must be a finite number ≥ 0, got ${weight}`);
  return {
    terms: [
      {
        name: 'modeSeeking',
        network: 'generator',
        weight,
        lossKey: 'gModeSeeking',
        pairsFakeLabels: true,
        compute(forward) {
          invariant(forward.z !== undefined, 'the mode-seeking term needs the latent vectors of the fakes');
          const { loss, ratio } = modeSeekingLoss(forward.fakeImages, forward.z);
          return { loss, metrics: { gModeSeekingRatio: ratio } };
        },
      },
    ],
  };
};
