/**
 * Tiny inputs for the evaluation tests: a synthetic 3-class dataset of 8×8 grey images that a
 * classifier can tell apart in a few updates, a small subset of real MNIST, a config that keeps the
 * classifier to width 2 and one epoch, and a silent progress stream.
 */
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import { readMnist } from '../../src/data/mnist.js';
import type { Dataset, ImageSplit } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';

export { SILENT } from '../fixtures.js';
export const NUM_CLASSES = 3;

/**
 * `count` 8×8 images: class c (= i mod 3) has a bright 4×4 square in quadrant c, plus uniform
 * noise, so the classes are separable but no two images are equal.
 */
export function squaresSplit(count: number, seed: number, prefix: string): ImageSplit {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * 64);
  const labels = Int32Array.from({ length: count }, (_, i) => i % NUM_CLASSES);
  for (let i = 0; i < count; i++) {
    const top = labels[i] === 2 ? 4 : 0;
    const left = labels[i] === 1 ? 4 : 0;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const inside = y >= top && y < top + 4 && x >= left && x < left + 4;
        images[i * 64 + y * 8 + x] = (inside ? 180 : 0) + rng.int(60);
      }
    }
  }
  return { images, shape: [count, 8, 8, 1], labels, ids: Array.from({ length: count }, (_, i) => `${prefix}/${i}`) };
}

/** The synthetic dataset: 90 training and 45 test images. */
export function squaresDataset(): Dataset {
  return { name: 'squares', classNames: ['a', 'b', 'c'], train: squaresSplit(90, 1, 'train'), test: squaresSplit(45, 2, 'test'), source: 'synthetic' };
}

function slice(split: ImageSplit, count: number): ImageSplit {
  const bytes = split.shape[1] * split.shape[2] * split.shape[3];
  return { images: split.images.slice(0, count * bytes), shape: [count, split.shape[1], split.shape[2], split.shape[3]], labels: split.labels.slice(0, count), ids: split.ids.slice(0, count) };
}

/** The first `trainCount` training and `testCount` test images of MNIST. */
export async function mnistSubset(trainCount: number, testCount: number): Promise<Dataset> {
  const mnist = await readMnist();
  return { ...mnist, train: slice(mnist.train, trainCount), test: mnist.test === undefined ? undefined : slice(mnist.test, testCount) };
}

/** A validated config for 8×8 images, a width-2 one-epoch classifier and the cache in `cacheDir`. */
export function tinyConfig(cacheDir: string, overrides: ConfigInput = {}): Config {
  return configSchema.parse({
    ...overrides,
    data: { imageSize: 8, fit: 'resize', cacheDir, ...overrides.data },
    eval: { classifierWidth: 2, classifierEpochs: 1, ...overrides.eval },
  });
}
