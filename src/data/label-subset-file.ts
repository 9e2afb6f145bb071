/**
 * The labelled subset on disk: `labels/labelled-subset.json` in a run directory. It lists image
 * ids (not positions), so later stages join it with a dataset by id and refuse a file that
 * names images the dataset does not have, or that was chosen for another dataset.
 */
import { readJsonFile } from '../artifacts/json-file.js';
import { z } from 'zod';
import { writeJsonAtomic } from '../artifacts/atomic-write.js';
import { UserError } from '../util/errors.js';
import type { LabelledSubset } from './label-subset.js';
import type { Dataset } from './types.js';

const fileSchema = z.strictObject({
  version: z.literal(1),
  dataset: z.string(),
  split: z.literal('train'),
  seed: z.number().int(),
  budget: z.union([z.strictObject({ fraction: z.number() }), z.strictObject({ perClass: z.number().int() })]),
  classNames: z.array(z.string()),
  countPerClass: z.array(z.number().int()),
  ids: z.array(z.string()),
  labels: z.array(z.number().int()),
});

export type LabelledSubsetFile = z.infer<typeof fileSchema>;

export async function writeLabelledSubset(file: string, dataset: Dataset, subset: LabelledSubset): Promise<void> {
  const content: LabelledSubsetFile = {
    version: 1,
    dataset: dataset.name,
    split: 'train',
    seed: subset.seed,
    budget: subset.budget,
    classNames: [...dataset.classNames],
    countPerClass: [...subset.countPerClass],
    ids: [...subset.ids],
    labels: Array.from(subset.labels),
  };
  await writeJsonAtomic(file, content);
}

/**
 * Reads a labelled-subset file and joins it with `dataset`'s training split: returns the split
 * indices of the listed ids. Every id must exist and keep its recorded label.
 */
export async function readLabelledSubset(file: string, dataset: Dataset): Promise<{ indices: Int32Array; content: LabelledSubsetFile }> {
  const content = await readJsonFile(file, fileSchema, 'labelled subset');
  if (content.dataset !== dataset.name) throw new UserError(`labelled subset ${file} was chosen for dataset '${content.dataset}', not '${dataset.name}'`);
  if (content.ids.length !== content.labels.length) throw new UserError(`labelled subset ${file}: ${content.ids.length} ids but ${content.labels.length} labels`);
  const position = new Map(dataset.train.ids.map((id, i) => [id, i]));
  const indices = new Int32Array(content.ids.length);
  content.ids.forEach((id, k) => {
    const index = position.get(id);
    if (index === undefined) throw new UserError(`labelled subset ${file} names image '${id}', which ${dataset.name}'s training split does not have`);
    if (dataset.train.labels[index] !== content.labels[k]) {
      throw new UserError(`labelled subset ${file}: image '${id}' is recorded as class ${content.labels[k]} but the dataset says ${dataset.train.labels[index]}`);
    }
    indices[k] = index;
  });
  return { indices, content };
}
