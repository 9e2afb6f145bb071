/**
 * The labels the GAN stage trains with, by the method's label source (methods.ts): one label per
 * training image (UNLABELLED where the method leaves it open), and the images to draw from.
 */
import { existsSync } from 'node:fs';
import { UNLABELLED, splitSize, type Dataset } from '../../data/types.js';
import type { MethodSpec } from '../../methods/methods.js';
import { UserError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import { readPseudoLabelsFile } from '../../data/pseudo-labels-file.js';

/** Rng stream of the cgan-random labels. */
const RANDOM_LABELS_STREAM = 11;

export interface TrainingLabelSet {
  /** Label per training-split index; UNLABELLED only for co-training and unconditional methods. */
  readonly labels: Int32Array;
  /** Split indices to train on (default all). */
  readonly pool?: Int32Array;
  /** One line for logs: where the labels came from. */
  readonly description: string;
}

export interface LabelSourceContext {
  readonly seed: number;
  /** Path of the labels file (labels-file methods). */
  readonly labelsFile: string;
  /** The run's labelled subset as split indices (read or chosen on demand). */
  readonly labelledSubset: () => Promise<Int32Array>;
}

export function requireAllLabelled(method: MethodSpec, dataset: Dataset): void {
  const missing = dataset.train.labels.reduce((n, label) => n + (label === UNLABELLED ? 1 : 0), 0);
  if (missing > 0) {
    throw new UserError(`method ${method.name} trains on the dataset's true labels, but ${missing} training images of ${dataset.name} have none; use a few-label method (s3gan, s3gan-co, …)`);
  }
}

export async function trainingLabelSet(method: MethodSpec, dataset: Dataset, context: LabelSourceContext): Promise<TrainingLabelSet> {
  const count = splitSize(dataset.train);
  switch (method.labelSource) {
    case 'none':
      return { labels: new Int32Array(count).fill(UNLABELLED), description: 'no labels (unconditional)' };
    case 'true':
      requireAllLabelled(method, dataset);
      return { labels: dataset.train.labels, description: `all ${count} true labels` };
    case 'labels-file': {
      if (!existsSync(context.labelsFile)) {
        throw new UserError(`method ${method.name} needs the labels file ${context.labelsFile}, which does not exist: run the pseudo-label stage first (s3gan pseudo-label), or choose another gan.method`);
      }
      const file = await readPseudoLabelsFile(context.labelsFile, dataset);
      return { labels: file.labels, description: `labels from ${context.labelsFile} (${file.source})` };
    }
    case 'subset': {
      const indices = await context.labelledSubset();
      const labels = new Int32Array(count).fill(UNLABELLED);
      for (const i of indices) labels[i] = dataset.train.labels[i];
      return { labels, description: `${indices.length} true labels (labelled subset), ${count - indices.length} images unlabelled` };
    }
    case 'subset-only': {
      const indices = await context.labelledSubset();
      return { labels: dataset.train.labels, pool: indices, description: `only the ${indices.length} labelled images, with their true labels` };
    }
    case 'random': {
      const rng = new Rng(context.seed, RANDOM_LABELS_STREAM);
      const numClasses = dataset.classNames.length;
      return { labels: Int32Array.from({ length: count }, () => rng.int(numClasses)), description: `uniformly random labels over ${numClasses} classes` };
    }
  }
}
