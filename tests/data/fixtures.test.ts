import test from 'ava';
import path from 'node:path';
import { readImageFolder } from '../../src/data/image-folder.js';
import { readLabelFile } from '../../src/data/image-folder-label-file.js';
import { defaultMnistDir, readMnist } from '../../src/data/mnist.js';
import { UNLABELLED, type ImageSplit } from '../../src/data/types.js';

// The fixtures of data/README.md; tests run from the repository root.
const FIXTURES = path.resolve('data/fixtures');
const FOLDER = path.join(FIXTURES, 'mnist-png');

/** The MNIST index a fixture id names: '0/train-00001.png' → 1. */
function mnistIndex(id: string): number {
  return Number(/-(\d{5})\.png$/.exec(id)?.[1]);
}

test('data/fixtures/mnist-png holds exactly the MNIST images its names say, split by its test/ folder', async (t) => {
  const mnist = await readMnist(defaultMnistDir());
  const folder = await readImageFolder({ path: FOLDER, imageSize: 28, skipCorrupt: false });
  t.deepEqual(folder.classNames, ['0', '1', '2']);
  t.is(folder.train.shape[3], 1, 'grayscale PNGs infer one channel');
  t.is(folder.train.shape[0], 12);
  t.is(folder.test?.shape[0], 6);
  const check = (split: ImageSplit, source: ImageSplit): void => {
    split.ids.forEach((id, k) => {
      const i = mnistIndex(id);
      t.is(split.labels[k], source.labels[i], id);
      t.true(Buffer.from(split.images.subarray(k * 784, (k + 1) * 784)).equals(Buffer.from(source.images.subarray(i * 784, (i + 1) * 784))), id);
    });
  };
  check(folder.train, mnist.train);
  check(folder.test as ImageSplit, mnist.test as ImageSplit);
});

test('data/fixtures/labels.csv and labels.json label the same images of the fixture folder', async (t) => {
  const csv = await readLabelFile(path.join(FIXTURES, 'labels.csv'));
  const json = await readLabelFile(path.join(FIXTURES, 'labels.json'));
  const pairs = (entries: readonly { file: string; label: string }[]) => entries.map((e) => `${e.file}=${e.label}`);
  t.deepEqual(pairs(csv.entries), pairs(json.entries));
  const folder = await readImageFolder({ path: FOLDER, labelFile: path.join(FIXTURES, 'labels.csv'), imageSize: 28, skipCorrupt: false });
  t.is(folder.train.labels.filter((label) => label === UNLABELLED).length, 6);
  t.deepEqual([...(folder.test?.labels ?? [])], [0, 0, 1, 1, 2, 2]);
});
