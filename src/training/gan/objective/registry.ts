/** Every objective term by name: the one place a new term is registered. */
import { adversarialTerms, discriminatorAdversarialTerms } from './adversarial.js';
import { classificationTerms } from './classification.js';
import { draganTerms } from './dragan.js';
import { driftTerms } from './drift.js';
import { l2PenaltyTerms } from './l2-penalty.js';
import { manifoldTerms } from './manifold.js';
import { modeSeekingTerms } from './mode-seeking.js';
import { manifoldMatchingTerms } from './manifold-matching.js';
import { r1Terms } from './r1.js';
import { rotationTerms } from './rotation.js';
import type { PenaltyName, TermFactory } from './term.js';
import { wganGpTerms } from './wgan-gp.js';

export const TERMS = Object.freeze({
  adversarial: adversarialTerms,
  rotation: rotationTerms,
  classification: classificationTerms,
  'adversarial-d': discriminatorAdversarialTerms,
  manifold: manifoldTerms,
  modeSeeking: modeSeekingTerms,
  manifoldMatching: manifoldMatchingTerms,
  wganGp: wganGpTerms,
  dragan: draganTerms,
  r1: r1Terms,
  l2: l2PenaltyTerms,
  drift: driftTerms,
} satisfies Record<string, TermFactory>);

/** The term of each gradient penalty gan.penalty names. */
export const PENALTY_TERMS = Object.freeze({ 'wgan-gp': 'wganGp', dragan: 'dragan', r1: 'r1' } as const satisfies Record<Exclude<PenaltyName, 'none'>, string>);

export type TermName = keyof typeof TERMS;

export const TERM_NAMES = Object.keys(TERMS) as TermName[];
