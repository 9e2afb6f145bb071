import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { readImageFolder } from '../../src/data/image-folder.js';
import { evaluationSplit } from '../../src/eval/reference.js';
import type { DatasetOptions } from '../../src/data/options.js';
import { loadDataset } from '../../src/data/registry.js';
import type { Dataset } from '../../src/data/types.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

const CLASSES = ['ant', 'bee', 'cow'];
const PER_CLASS = 20;

/** A grayscale 8×8 PNG whose pixels encode `value` (stored with one channel, as scanners write them). */
async function greyPng(file: string, value: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const pixels = Buffer.alloc(64, value);
  pixels[0] = 255 - value;
  await sharp(pixels, { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(file);
}

/** Three class folders of 20 grayscale PNGs each, no test split; returns the root. */
async function greyFolder(): Promise<string> {
  const root = tempDir('s3gan-split-');
  for (const [c, name] of CLASSES.entries()) {
    for (let i = 0; i < PER_CLASS; i++) await greyPng(path.join(root, name, `img-${String(i).padStart(2, '0')}.png`), 10 * c + i);
  }
  return root;
}

function options(root: string, extra: Partial<DatasetOptions> = {}): DatasetOptions {
  return { name: 'image-folder', path: root, imageSize: 8, cacheDir: tempDir('s3gan-split-cache-'), skipCorrupt: false, ...extra };
}

function perClass(labels: Int32Array): number[] {
  const counts = CLASSES.map(() => 0);
  for (const label of labels) counts[label]++;
  return counts;
}

test('a grayscale folder without a test split: channels inferred as 1, 10% of each class held out', async (t) => {
  const root = await greyFolder();
  const data = await loadDataset(options(root));
  t.deepEqual(data.classNames, CLASSES);
  t.deepEqual(data.train.shape, [54, 8, 8, 1]);
  t.truthy(data.test);
  const test = data.test as NonNullable<Dataset['test']>;
  t.deepEqual(test.shape, [6, 8, 8, 1]);
  t.deepEqual(perClass(test.labels), [2, 2, 2], 'class-balanced');
  t.deepEqual(perClass(data.train.labels), [18, 18, 18]);
  const all = [...data.train.ids, ...test.ids].sort();
  t.is(new Set(all).size, 60, 'every image in exactly one split');
  t.deepEqual([...data.train.ids], [...data.train.ids].sort(), 'train keeps id order');
  // Inferred grayscale decodes exactly as an explicit data.channels = 1.
  const explicit = await readImageFolder({ path: root, imageSize: 8, channels: 1, skipCorrupt: false });
  t.deepEqual(explicit.test?.ids, test.ids);
  t.deepEqual(Buffer.from(explicit.train.images), Buffer.from(data.train.images));
});

test('the held-out images are fixed by id: the same for every load and unmoved by an added image', async (t) => {
  const root = await greyFolder();
  const first = await readImageFolder({ path: root, imageSize: 8, skipCorrupt: false });
  const second = await readImageFolder({ path: root, imageSize: 8, skipCorrupt: false });
  t.deepEqual(second.test?.ids, first.test?.ids);
  await greyPng(path.join(root, 'ant', 'img-20.png'), 77);
  const grown = await readImageFolder({ path: root, imageSize: 8, skipCorrupt: false });
  const others = (ids: readonly string[] | undefined) => (ids ?? []).filter((id) => !id.startsWith('ant/'));
  t.deepEqual(others(grown.test?.ids), others(first.test?.ids));
});

test('data.testFraction sets the share held out, 0 holds out nothing, and the decode cache keeps them apart', async (t) => {
  const root = await greyFolder();
  const cacheDir = tempDir('s3gan-split-cache-');
  const quarter = await loadDataset(options(root, { testFraction: 0.25, cacheDir }));
  t.deepEqual(perClass(quarter.test?.labels ?? new Int32Array()), [5, 5, 5]);
  const none = await loadDataset(options(root, { testFraction: 0, cacheDir }));
  t.is(none.test, undefined);
  t.is(none.train.shape[0], 60);
  t.throws(() => evaluationSplit(none, 'test'), { instanceOf: UserError, message: /add a test\/ subfolder or set data\.testFraction > 0/ });
  const again = await loadDataset(options(root, { testFraction: 0.25, cacheDir }));
  t.deepEqual(again.test?.ids, quarter.test?.ids);
});

test('a test/ subfolder with the same class folders is the test split and wins over data.testFraction', async (t) => {
  const root = await greyFolder();
  await greyPng(path.join(root, 'test', 'bee', 'x.png'), 5);
  await greyPng(path.join(root, 'test', 'cow', 'y.png'), 6);
  const data = await loadDataset(options(root, { testFraction: 0.5 }));
  t.deepEqual(data.classNames, CLASSES, 'test is not a class');
  t.deepEqual(data.test?.ids, ['test/bee/x.png', 'test/cow/y.png']);
  t.deepEqual([...(data.test?.labels ?? [])], [1, 2]);
  t.is(data.train.shape[0], 60);
});

test('a colour image among grayscale ones: channels inferred as 3', async (t) => {
  const root = await greyFolder();
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .png()
    .toFile(path.join(root, 'cow', 'red.png'));
  const data = await loadDataset(options(root));
  t.is(data.train.shape[3], 3);
});

test('test/ holding a class without a training folder, or loose images, is refused naming it', async (t) => {
  const root = await greyFolder();
  await greyPng(path.join(root, 'test', 'dog', 'z.png'), 1);
  await t.throwsAsync(loadDataset(options(root)), { instanceOf: UserError, message: /test[/\\]dog: test class 'dog' has no training folder/ });
  const loose = await greyFolder();
  await greyPng(path.join(loose, 'test', 'z.png'), 1);
  await t.throwsAsync(loadDataset(options(loose)), { instanceOf: UserError, message: /test[/\\]z\.png is not in a class subfolder of .*test/ });
});

test('an empty class folder is refused naming it, not dropped', async (t) => {
  const root = await greyFolder();
  await mkdir(path.join(root, 'bat'));
  await writeFile(path.join(root, 'bat', 'notes.txt'), 'no images yet');
  await t.throwsAsync(loadDataset(options(root)), {
    instanceOf: UserError,
    message: `data.path: class folder ${path.join(root, 'bat')} holds no images (.png .jpg .jpeg .webp); add images or remove the folder`,
  });
  const emptyTest = await greyFolder();
  await mkdir(path.join(emptyTest, 'test', 'ant'), { recursive: true });
  await greyPng(path.join(emptyTest, 'test', 'bee', 'x.png'), 5);
  await t.throwsAsync(loadDataset(options(emptyTest)), { instanceOf: UserError, message: /class folder .*test[/\\]ant holds no images/ });
});

test('data.testFraction on a dataset with a fixed split is refused', async (t) => {
  await t.throwsAsync(loadDataset({ name: 'mnist', imageSize: 28, cacheDir: tempDir(), skipCorrupt: false, testFraction: 0.2 }), {
    instanceOf: UserError,
    message: /data\.testFraction applies only to dataset 'image-folder', not 'mnist'/,
  });
});
