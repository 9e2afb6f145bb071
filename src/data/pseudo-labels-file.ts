/**
 * A label for every training image: `labels/labels.json` in a run directory. The pseudo-label stage
 * writes it (classifier predictions, or k-means clusters for the unsupervised baseline) and the GAN
 * stage reads it for s3gan, s2gan and cgan-kmeans. Like the labelled subset it lists image ids, so
 * reading joins by id and refuses a file made for another dataset, or one that misses or invents
 * images. (The label file a user gives with an image folder is image-folder-label-file.ts.)
 */
import { readJsonFile } from '../artifacts/json-file.js';
import { z } from 'zod';
import { writeJsonAtomic } from '../artifacts/atomic-write.js';
import { UserError } from '../util/errors.js';
import { splitSize, type Dataset } from './types.js';

const fileSchema = z.strictObject({
  version: z.literal(1),
  dataset: z.string(),
  split: z.literal('train'),
  /** What produced the labels, e.g. 'linear classifier on pretrain block 2' or 'k-means'. */
  source: z.string(),
  classNames: z.array(z.string()),
  ids: z.array(z.string()),
  labels: z.array(z.number().int().min(0)),
  /** Optional per-image confidence in [0, 1] (softmax probability of the chosen class). */
  confidences: z.array(z.number().min(0).max(1)).optional(),
  /** Optional soft labels: one class distribution per image (pseudoLabel.output = soft). */
  probabilities: z.array(z.array(z.number().min(0).max(1))).optional(),
});

export type PseudoLabelsFile = z.infer<typeof fileSchema>;

export interface TrainingLabels {
  readonly source: string;
  /** Class per training-split index, 0..K−1. */
  readonly labels: Int32Array;
  readonly confidences?: Float32Array;
  /** Soft labels [count, K], row-major, when the classifier's distributions are kept. */
  readonly probabilities?: Float32Array;
}

/** [count·K] → count rows of K probabilities, rounded to 6 digits (the file stays readable). */
function softRows(probabilities: Float32Array, count: number, numClasses: number): number[][] {
  if (probabilities.length !== count * numClasses) throw new Error(`probabilities has ${probabilities.length} values for ${count} images × ${numClasses} classes`);
  return Array.from({ length: count }, (_, i) => Array.from(probabilities.subarray(i * numClasses, (i + 1) * numClasses), (p) => Math.round(p * 1e6) / 1e6));
}

export async function writePseudoLabelsFile(file: string, dataset: Dataset, labels: TrainingLabels): Promise<void> {
  const count = splitSize(dataset.train);
  if (labels.labels.length !== count) throw new Error(`labels has ${labels.labels.length} entries for ${count} training images`);
  const content: PseudoLabelsFile = {
    version: 1,
    dataset: dataset.name,
    split: 'train',
    source: labels.source,
    classNames: [...dataset.classNames],
    ids: [...dataset.train.ids],
    labels: Array.from(labels.labels),
    ...(labels.confidences === undefined ? {} : { confidences: Array.from(labels.confidences) }),
    ...(labels.probabilities === undefined ? {} : { probabilities: softRows(labels.probabilities, count, dataset.classNames.length) }),
  };
  await writeJsonAtomic(file, content);
}

/**
 * Reads a labels file and joins it with `dataset`'s training split by id. Every training image must
 * be listed exactly once, with a class below the dataset's class count.
 */
export async function readPseudoLabelsFile(file: string, dataset: Dataset): Promise<TrainingLabels> {
  const content = await readJsonFile(file, fileSchema, 'labels file');
  if (content.dataset !== dataset.name) throw new UserError(`labels file ${file} was made for dataset '${content.dataset}', not '${dataset.name}'`);
  if (content.ids.length !== content.labels.length) throw new UserError(`labels file ${file}: ${content.ids.length} ids but ${content.labels.length} labels`);
  if (content.probabilities !== undefined && (content.probabilities.length !== content.ids.length || content.probabilities.some((p) => p.length !== dataset.classNames.length))) {
    throw new UserError(`labels file ${file}: probabilities must list ${dataset.classNames.length} classes for each of the ${content.ids.length} images`);
  }
  if (content.confidences !== undefined && content.confidences.length !== content.ids.length) {
    throw new UserError(`labels file ${file}: ${content.ids.length} ids but ${content.confidences.length} confidences`);
  }
  const numClasses = dataset.classNames.length;
  const count = splitSize(dataset.train);
  const position = new Map(dataset.train.ids.map((id, i) => [id, i]));
  const labels = new Int32Array(count).fill(-1);
  const confidences = content.confidences === undefined ? undefined : new Float32Array(count);
  const probabilities = content.probabilities === undefined ? undefined : new Float32Array(count * numClasses);
  content.ids.forEach((id, k) => {
    const index = position.get(id);
    if (index === undefined) throw new UserError(`labels file ${file} names image '${id}', which ${dataset.name}'s training split does not have`);
    if (labels[index] !== -1) throw new UserError(`labels file ${file} lists image '${id}' twice`);
    if (content.labels[k] >= numClasses) throw new UserError(`labels file ${file}: image '${id}' has class ${content.labels[k]}, but ${dataset.name} has ${numClasses} classes`);
    labels[index] = content.labels[k];
    if (confidences !== undefined) confidences[index] = content.confidences![k];
    probabilities?.set(content.probabilities![k], index * numClasses);
  });
  const missing = labels.indexOf(-1);
  if (missing !== -1) {
    const absent = labels.reduce((n, label) => n + (label === -1 ? 1 : 0), 0);
    throw new UserError(`labels file ${file} has no label for ${absent} training image(s) of ${dataset.name}, e.g. '${dataset.train.ids[missing]}'`);
  }
  return { source: content.source, labels, ...(confidences === undefined ? {} : { confidences }), ...(probabilities === undefined ? {} : { probabilities }) };
}
