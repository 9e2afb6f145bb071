/**
 * The training methods of docs/ALGORITHMS.md § Methods, each a record of what the GAN stage needs to know: is G/D
 * class-conditional, does D carry the rotation head (SS-GAN losses), does D carry the co-training
 * classifier head, which objective terms it minimises (training/gan/objective/) and where the
 * labels of the real images come from. Adding a method is adding a row here; the loop reads only
 * these fields.
 */
import { METHOD_NAMES } from '../config/schema.js';
import type { TermName } from '../training/gan/objective/registry.js';
import { didYouMean } from '../util/suggest.js';

export type MethodName = (typeof METHOD_NAMES)[number];

/**
 * Where the real images' labels come from:
 * - `labels-file`: a labels file in the run directory (pseudo-labels or k-means clusters, written by
 *   the pseudo-label stage), one label per training image, joined by id;
 * - `true`: the dataset's own labels for every training image (the 100%-labels upper bound);
 * - `subset`: true labels for the labelled subset, every other image marked unlabelled (co-training);
 * - `subset-only`: train on the labelled subset's images alone, with their true labels;
 * - `random`: a seeded uniform class per training image (the label-noise baseline);
 * - `none`: unconditional methods read no labels.
 */
export type LabelSource = 'labels-file' | 'true' | 'subset' | 'subset-only' | 'random' | 'none';

export interface MethodSpec {
  readonly name: MethodName;
  /** G by conditional batch norm and D by projection both see class labels. */
  readonly conditional: boolean;
  /** The objective's terms, in the order their losses are summed (training/gan/objective/registry.ts). */
  readonly objective: readonly TermName[];
  /** D has the rotation head: the objective has the rotation terms (SS-GAN, S3GAN). */
  readonly rotation: boolean;
  /** D has a classifier head trained on the labelled real images: the objective has the classification term (S2GAN-CO, S3GAN-CO). */
  readonly coTraining: boolean;
  readonly labelSource: LabelSource;
  /** One line for tables and help. */
  readonly summary: string;
}

/** D's heads follow from the objective: a rotation head for the rotation terms, a classifier head for classification. */
const spec = (name: MethodName, conditional: boolean, objective: readonly TermName[], labelSource: LabelSource, summary: string): MethodSpec =>
  Object.freeze({
    name,
    conditional,
    objective: Object.freeze([...objective]),
    rotation: objective.includes('rotation'),
    coTraining: objective.includes('classification'),
    labelSource,
    summary,
  });

/** The objectives of the S3GAN family (Lučić et al. ICML 2019): adversarial, + rotation (SS-GAN), + co-training classification. */
const ADVERSARIAL: readonly TermName[] = ['adversarial'];
const ROTATION: readonly TermName[] = ['adversarial', 'rotation'];
const CO_TRAINING: readonly TermName[] = ['adversarial', 'classification'];
const ROTATION_CO_TRAINING: readonly TermName[] = ['adversarial', 'rotation', 'classification'];
/** MMGAN (Park et al. 2017): D keeps its adversarial loss; G matches D's feature manifolds only (docs/ALGORITHMS.md § MMGAN). */
const MMGAN_OBJECTIVE: readonly TermName[] = ['adversarial-d', 'manifold'];
/** MvM (Dai & Hang, ICCV 2021): manifold matching in a metric network's embedding, no discriminator. */
const MVM_OBJECTIVE: readonly TermName[] = ['manifoldMatching'];

export const METHODS: Readonly<Record<MethodName, MethodSpec>> = Object.freeze({
  s3gan: spec('s3gan', true, ROTATION, 'labels-file', 'pseudo-labels + projection + rotation losses'),
  s2gan: spec('s2gan', true, ADVERSARIAL, 'labels-file', 'pseudo-labels + projection'),
  's3gan-co': spec('s3gan-co', true, ROTATION_CO_TRAINING, 'subset', 'co-training classifier head + projection + rotation losses'),
  's2gan-co': spec('s2gan-co', true, CO_TRAINING, 'subset', 'co-training classifier head + projection'),
  ssgan: spec('ssgan', false, ROTATION, 'none', 'unconditional + rotation losses'),
  gan: spec('gan', false, ADVERSARIAL, 'none', 'unconditional'),
  'cgan-full': spec('cgan-full', true, ADVERSARIAL, 'true', 'all true labels (the 100%-labels upper bound)'),
  's3gan-full': spec('s3gan-full', true, ROTATION, 'true', 'all true labels + projection + rotation losses (the 100%-labels S3GAN)'),
  'cgan-few': spec('cgan-few', true, ADVERSARIAL, 'subset-only', 'the labelled subset only, true labels'),
  'cgan-kmeans': spec('cgan-kmeans', true, ADVERSARIAL, 'labels-file', 'k-means cluster labels from the labels file'),
  'cgan-random': spec('cgan-random', true, ADVERSARIAL, 'random', 'uniformly random labels'),
  mmgan: spec('mmgan', false, MMGAN_OBJECTIVE, 'none', "unconditional; G matches the manifolds of D's features (MMGAN)"),
  mvm: spec('mvm', false, MVM_OBJECTIVE, 'none', 'unconditional manifold matching in a learned metric (MvM), no discriminator'),
  cmvm: spec('cmvm', true, MVM_OBJECTIVE, 'labels-file', 'pseudo-labels + manifold matching of (image, class) pairs in a learned metric'),
});

/** The method called `name`; an unknown name is an error listing the nearest one. */
export function getMethod(name: string): MethodSpec {
  const method = (METHODS as Record<string, MethodSpec | undefined>)[name];
  if (method === undefined) {
    throw new Error(`unknown method '${name}'${didYouMean(name, METHOD_NAMES)}; known: ${METHOD_NAMES.join(', ')}`);
  }
  return method;
}
