/**
 * The training methods of docs/ALGORITHMS.md § Methods, each a record of what the GAN stage needs to know: is G/D
 * class-conditional, does D carry the rotation head (SS-GAN losses), does D carry the co-training
 * classifier head, and where the labels of the real images come from. Adding a method is adding a
 * row here; the loop reads only these fields.
 */
import { METHOD_NAMES } from '../config/schema.js';
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
  /** D has the rotation head; L_D and L_G get the rotation terms (SS-GAN, S3GAN). */
  readonly rotation: boolean;
  /** D has a classifier head trained on the labelled real images (S2GAN-CO, S3GAN-CO). */
  readonly coTraining: boolean;
  readonly labelSource: LabelSource;
  /** One line for tables and help. */
  readonly summary: string;
}

const spec = (name: MethodName, conditional: boolean, rotation: boolean, coTraining: boolean, labelSource: LabelSource, summary: string): MethodSpec =>
  Object.freeze({ name, conditional, rotation, coTraining, labelSource, summary });

export const METHODS: Readonly<Record<MethodName, MethodSpec>> = Object.freeze({
  s3gan: spec('s3gan', true, true, false, 'labels-file', 'pseudo-labels + projection + rotation losses'),
  s2gan: spec('s2gan', true, false, false, 'labels-file', 'pseudo-labels + projection'),
  's3gan-co': spec('s3gan-co', true, true, true, 'subset', 'co-training classifier head + projection + rotation losses'),
  's2gan-co': spec('s2gan-co', true, false, true, 'subset', 'co-training classifier head + projection'),
  ssgan: spec('ssgan', false, true, false, 'none', 'unconditional + rotation losses'),
  gan: spec('gan', false, false, false, 'none', 'unconditional'),
  'cgan-full': spec('cgan-full', true, false, false, 'true', 'all true labels (the 100%-labels upper bound)'),
  's3gan-full': spec('s3gan-full', true, true, false, 'true', 'all true labels + projection + rotation losses (the 100%-labels S3GAN)'),
  'cgan-few': spec('cgan-few', true, false, false, 'subset-only', 'the labelled subset only, true labels'),
  'cgan-kmeans': spec('cgan-kmeans', true, false, false, 'labels-file', 'k-means cluster labels from the labels file'),
  'cgan-random': spec('cgan-random', true, false, false, 'random', 'uniformly random labels'),
});

/** The method called `name`; an unknown name is an error listing the nearest one. */
export function getMethod(name: string): MethodSpec {
  const method = (METHODS as Record<string, MethodSpec | undefined>)[name];
  if (method === undefined) {
    throw new Error(`unknown method '${name}'${didYouMean(name, METHOD_NAMES)}; known: ${METHOD_NAMES.join(', ')}`);
  }
  return method;
}
