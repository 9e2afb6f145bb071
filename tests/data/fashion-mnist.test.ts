import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  defaultFashionMnistDir,
  FASHION_MNIST_CLASS_NAMES,
  readFashionMnist,
} from '../../src/data/fashion-mnist.js';
import type { Dataset } from '../../src/data/types.js';
import { UserError } from '../../src/util/errors.js';

// One read shared by the tests on the real data: it parses 150 MB of JSON.
const fashion = (() => {
  let shared: ReturnType<typeof readFashionMnist> | undefined;
  return () => (shared ??= readFashionMnist());
})();

function classCounts(labels: Int32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

test('the fixed split has 60,000 training and 10,000 test images of 28×28×1', async (t) => {
  const data: Dataset = await fashion();
  t.is(data.name, 'fashion-mnist');
  t.deepEqual(data.train.shape, [60000, 28, 28, 1]);
  t.deepEqual(data.test?.shape, [10000, 28, 28, 1]);
  t.is(data.train.images.length, 60000 * 784);
  t.deepEqual(data.classNames, FASHION_MNIST_CLASS_NAMES);
  t.is(data.classNames[9], 'Ankle boot');
});

test('the split is class-balanced: 6,000 training and 1,000 test images per class', async (t) => {
  const data = await fashion();
  t.deepEqual(classCounts(data.train.labels), new Array(10).fill(6000));
  t.deepEqual(classCounts(data.test!.labels), new Array(10).fill(1000));
});

test('the two empty records of class 0 are dropped and counted', async (t) => {
  const data = await fashion();
  t.deepEqual(data.report.droppedEmpty, [2, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('ids are unique and no id is shared between train and test', async (t) => {
  const data = await fashion();
  const train = new Set(data.train.ids);
  t.is(train.size, 60000);
  t.is(new Set(data.test!.ids).size, 10000);
  t.false(data.test!.ids.some((id) => train.has(id)));
  t.is(data.train.ids[6000 * 3 + 42], 'train/3/00042');
  t.is(data.test!.ids[1000 * 3 + 42], 'test/3/00042');
});

test('within a class, the first 6,000 cleaned records are train and the last 1,000 test', async (t) => {
  const data = await fashion();
  const records = (JSON.parse(await readFile(path.join(defaultFashionMnistDir(), '0.json'), 'utf8')) as { data: number[][] })
    .data.filter((r) => r.length > 0);
  const image = (split: { images: Uint8Array }, i: number) => [...split.images.subarray(i * 784, (i + 1) * 784)];
  t.deepEqual(image(data.train, 0), records[0]);
  t.deepEqual(image(data.train, 1000), records[1000]); // the record after the first empty one
  t.deepEqual(image(data.train, 5999), records[5999]);
  t.deepEqual(image(data.test!, 0), records[6000]);
  t.deepEqual(image(data.test!, 999), records[6999]);
  t.not(records[1000].join(), records[999].join());
});

test('a record of the wrong length names the file and the record', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3gan-fashion-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = new Array<number>(784).fill(7);
  await writeFile(path.join(dir, '0.json'), JSON.stringify({ data: [good, [], good, new Array(783).fill(1)] }));
  const file = path.join(dir, '0.json');
  await t.throwsAsync(readFashionMnist(dir), {
    instanceOf: UserError,
    message: `${file}: record 3 has 783 values, expected 784 pixel values`,
  });
});

test('a value outside 0..255 is rejected rather than wrapped', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3gan-fashion-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bad = new Array<number>(784).fill(0);
  bad[5] = 256;
  await writeFile(path.join(dir, '0.json'), JSON.stringify({ data: [bad] }));
  await t.throwsAsync(readFashionMnist(dir), { instanceOf: UserError, message: /record 0, value 5 is 256/ });
});

test('a missing class file is a UserError naming it', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3gan-fashion-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await t.throwsAsync(readFashionMnist(dir), {
    instanceOf: UserError,
    message: `Fashion-MNIST file not found: ${path.join(dir, '0.json')}`,
  });
});
