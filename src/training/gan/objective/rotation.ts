/**
 * The rotation terms of SS-GAN and S3GAN (losses/rotation.ts): D learns to tell the rotation of
 * real images (w_d · CE in L_D, logged as dRotationLoss), and G is rewarded for fakes whose
 * rotation D can tell (w_g · CE in L_G, logged as gRotationLoss). Both read the 4·k rotated copies
 * appended to the same D pass.
 */
import { rotationLoss } from '../../../losses/rotation.js';
import { invariant } from '../../../util/errors.js';
import type { ObjectiveTerm, ScoredImages, TermFactory } from './term.js';

function checkWeight(weight: number, name: string): number {
  invariant(Number.isFinite(weight) && weight >= 0, `${name} must be a finite number ≥ 0, got ${weight}`);
  return weight;
}

function rotated(scored: ScoredImages | undefined): NonNullable<ScoredImages['rotated']> {
  invariant(scored?.rotated !== undefined, 'the rotation term needs D on rotated images (a discriminator with a rotation head)');
  return scored.rotated;
}

/** The rotation term of one network: CE of D's rotation head on the appended rotations of `side`. */
function rotationTerm(network: 'discriminator' | 'generator', side: 'real' | 'fake', weight: number, lossKey: string, accuracyKey: string): ObjectiveTerm {
  return {
    name: 'rotation',
    network,
    weight,
    lossKey,
    rotated: side,
    compute(forward) {
      const { rotationLogits, rotationLabels } = rotated(forward[side]);
      const { loss, accuracy } = rotationLoss(rotationLogits, rotationLabels);
      return { loss, metrics: { [accuracyKey]: accuracy } };
    },
  };
}

export const rotationTerms: TermFactory = ({ settings }) => ({
  terms: [
    // Rotation enters L_D through real images only (SS-GAN).
    rotationTerm('discriminator', 'real', checkWeight(settings.rotationWeightD, 'rotationWeightD'), 'dRotationLoss', 'dRotationAccuracyReal'),
    rotationTerm('generator', 'fake', checkWeight(settings.rotationWeightG, 'rotationWeightG'), 'gRotationLoss', 'dRotationAccuracyFake'),
  ],
});
