/** Every objective term by name: the one place a new term is registered. */
import { adversarialTerms, discriminatorAdversarialTerms } from './adversarial.js';
import { classificationTerms } from './classification.js';
import { manifoldTerms } from './manifold.js';
import { modeSeekingTerms } from './mode-seeking.js';
import { manifoldMatchingTerms } from './manifold-matching.js';
import { rotationTerms } from './rotation.js';
import type { TermFactory } from './term.js';

export const TERMS = Object.freeze({
  adversarial: adversarialTerms,
  rotation: rotationTerms,
  classification: classificationTerms,
  'adversarial-d': discriminatorAdversarialTerms,
  manifold: manifoldTerms,
  modeSeeking: modeSeekingTerms,
  manifoldMatching: manifoldMatchingTerms,
} satisfies Record<string, TermFactory>);

export type TermName = keyof typeof TERMS;

export const TERM_NAMES = Object.keys(TERMS) as TermName[];
