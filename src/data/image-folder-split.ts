/**
 * The held-out test split of an image folder, which ships no split of its own. The first source
 * that applies:
 *   1. a `test/` subfolder of the root: every image under it is a test image (its id starts with
 *      'test/'), labelled like the others (by its class subfolder, or by the label file);
 *   2. data.testFraction f: from each class of n images, round(f·n) of them (at most n − 1, so
 *      every class keeps a training image) become test images. Unlabelled images stay in train.
 * Which images of a class are held out is fixed by a hash of their ids, not by the run's seed:
 * every run and every seed of an experiment is evaluated on the same images, on every machine,
 * and adding an image to a class moves at most the images whose rank it changes.
 */
import { createHash } from 'node:crypto';
import { UNLABELLED, type ImageSplit } from './types.js';

/** The subfolder of an image folder that holds its test split. */
export const TEST_FOLDER = 'test';

/** Default of data.testFraction for image folders without a test/ subfolder. */
export const DEFAULT_TEST_FRACTION = 0.1;

/** Mixed into the id hashes so that the held-out order is not any other hash of the ids. */
const SPLIT_SALT = 's3gan image-folder test split v1';

/** Whether an image id lies in the test/ subfolder. */
export function isTestId(id: string): boolean {
  return id.startsWith(`${TEST_FOLDER}/`);
}

/**
 * Which images are test images: `true` at index i when image i (id `ids[i]`, label `labels[i]`)
 * is held out. A test/ subfolder wins over `testFraction` (0 ≤ f < 1).
 */
export function testMask(ids: readonly string[], labels: Int32Array, testFraction: number): boolean[] {
  if (ids.some(isTestId)) return ids.map(isTestId);
  const mask = new Array<boolean>(ids.length).fill(false);
  if (testFraction === 0) return mask;
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    if (label === UNLABELLED) return;
    const members = byClass.get(label) ?? [];
    members.push(i);
    byClass.set(label, members);
  });
  for (const members of byClass.values()) {
    const count = Math.min(members.length - 1, Math.round(testFraction * members.length));
    const ranked = members
      .map((i) => ({ i, rank: createHash('sha256').update(`${SPLIT_SALT}\0${ids[i]}`).digest('hex') }))
      .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.i - b.i));
    for (const { i } of ranked.slice(0, count)) mask[i] = true;
  }
  return mask;
}

/** Splits `split` by `mask` (true = test), keeping order; `test` is undefined when none is held out. */
export function splitByMask(split: ImageSplit, mask: readonly boolean[]): { train: ImageSplit; test?: ImageSplit } {
  const testCount = mask.reduce((n, held) => n + (held ? 1 : 0), 0);
  if (testCount === 0) return { train: split };
  return { train: pick(split, mask, false), test: pick(split, mask, true) };
}

function pick(split: ImageSplit, mask: readonly boolean[], held: boolean): ImageSplit {
  const [count, height, width, channels] = split.shape;
  const bytes = height * width * channels;
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) if (mask[i] === held) chosen.push(i);
  const images = new Uint8Array(chosen.length * bytes);
  chosen.forEach((i, k) => images.set(split.images.subarray(i * bytes, (i + 1) * bytes), k * bytes));
  return {
    images,
    shape: [chosen.length, height, width, channels],
    labels: Int32Array.from(chosen, (i) => split.labels[i]),
    ids: chosen.map((i) => split.ids[i]),
  };
}
