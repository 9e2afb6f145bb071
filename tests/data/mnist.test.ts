import test from 'ava';
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultMnistDir, MNIST_CLASS_NAMES, MNIST_FILES, readMnist } from '../../src/data/mnist.js';
import { UserError } from '../../src/util/errors.js';

test('the shipped MNIST has 60,000 training and 10,000 test images of 28×28×1', async (t) => {
  const mnist = await readMnist();
  t.is(mnist.name, 'mnist');
  t.deepEqual(mnist.classNames, MNIST_CLASS_NAMES);
  t.deepEqual(mnist.train.shape, [60000, 28, 28, 1]);
  t.deepEqual(mnist.test?.shape, [10000, 28, 28, 1]);
  t.is(mnist.train.images.length, 60000 * 784);
  t.is(mnist.train.labels.length, 60000);
  t.is(mnist.test?.labels.length, 10000);
  // Published class counts of the MNIST training set.
  t.is(mnist.train.labels.filter((l) => l === 1).length, 6742);
  t.is(mnist.train.labels.filter((l) => l === 5).length, 5421);
  t.is(mnist.train.labels[0], 5); // the first training image is a 5
  t.is(mnist.test?.labels[0], 7); // the first test image is a 7
  t.is(mnist.train.ids[0], 'train/00000');
  t.is(mnist.train.ids[59999], 'train/59999');
  t.is(mnist.test?.ids[42], 'test/00042');
  const ids = [...mnist.train.ids, ...(mnist.test?.ids ?? [])];
  t.is(new Set(ids).size, 70000);
});

test('the pixels are those after the 16-byte header of the image file', async (t) => {
  const mnist = await readMnist();
  const raw = await readFile(path.join(defaultMnistDir(), MNIST_FILES.test.images));
  t.deepEqual(mnist.test?.images.subarray(784 * 3, 784 * 4), new Uint8Array(raw.subarray(16 + 784 * 3, 16 + 784 * 4)));
});

/** A copy of the MNIST directory in a temp dir: images linked, labels copied so they can be damaged. */
async function mnistCopy(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3gan-mnist-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const split of [MNIST_FILES.train, MNIST_FILES.test]) {
    await symlink(path.join(defaultMnistDir(), split.images), path.join(dir, split.images));
    await copyFile(path.join(defaultMnistDir(), split.labels), path.join(dir, split.labels));
  }
  return dir;
}

test('a truncated label file is a UserError naming it with expected and actual bytes', async (t) => {
  const dir = await mnistCopy(t);
  const file = path.join(dir, MNIST_FILES.train.labels);
  const labels = await readFile(file);
  await writeFile(file, labels.subarray(0, 30000));
  const error = await t.throwsAsync(readMnist(dir), { instanceOf: UserError });
  t.true(error.message.includes(file), error.message);
  t.regex(error.message, /expected 60008 bytes, found 30000/);
});

test('a missing file is a UserError naming its path', async (t) => {
  const dir = await mnistCopy(t);
  const file = path.join(dir, MNIST_FILES.test.labels);
  await rm(file);
  await t.throwsAsync(readMnist(dir), { instanceOf: UserError, message: new RegExp(`not found: ${file}`) });
});

test('a label that is not a digit is rejected with its index', async (t) => {
  const dir = await mnistCopy(t);
  const file = path.join(dir, MNIST_FILES.test.labels);
  const labels = await readFile(file);
  labels[8 + 17] = 10;
  await writeFile(file, labels);
  await t.throwsAsync(readMnist(dir), { instanceOf: UserError, message: /label 10 of image 17 is not a digit/ });
});

test('progress reports both splits', async (t) => {
  const calls: string[] = [];
  await readMnist(undefined, (done, total) => calls.push(`${done}/${total}`));
  t.deepEqual(calls, ['1/2', '2/2']);
});
