import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CIFAR10_CLASS_NAMES,
  encodeCifarRecords,
  readCifar10,
  readCifarBatch,
  writeCifarBatch,
} from '../../src/data/cifar10.js';
import { UserError } from '../../src/util/errors.js';

/** A distinct value for every (record, y, x, channel) of a batch, so misplaced bytes show. */
function pixel(batch: number, n: number, y: number, x: number, c: number): number {
  return (batch * 101 + n * 31 + y * 7 + x * 3 + c * 85) & 255;
}

/**
 * A batch file built byte by byte as the format describes it (not with the writer under test):
 * per record, the label byte, then the 1024 red bytes, 1024 green, 1024 blue, each row-major.
 */
function handMadeBatch(batch: number, labels: number[]): Uint8Array {
  const bytes: number[] = [];
  labels.forEach((label, n) => {
    bytes.push(label);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) bytes.push(pixel(batch, n, y, x, c));
    }
  });
  return Uint8Array.from(bytes);
}

const BATCH_LABELS: Record<string, number[]> = {
  data_batch_1: [3, 9, 0],
  data_batch_2: [1, 1],
  data_batch_3: [2],
  data_batch_4: [4, 5],
  data_batch_5: [6],
  test_batch: [8, 7],
};

async function fixture(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3gan-cifar-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [b, [name, labels]] of Object.entries(BATCH_LABELS).entries()) {
    await writeFile(path.join(dir, `${name}.bin`), handMadeBatch(b, labels));
  }
  return dir;
}

/** Value at (n, y, x, c) of an NHWC [n, 32, 32, 3] buffer. */
function at(images: Uint8Array, n: number, y: number, x: number, c: number): number {
  return images[((n * 32 + y) * 32 + x) * 3 + c];
}

test('reads the five training batches in order and the test batch, as NHWC', async (t) => {
  const dir = await fixture(t);
  const data = await readCifar10(dir);
  t.is(data.name, 'cifar10');
  t.deepEqual(data.classNames, CIFAR10_CLASS_NAMES);
  t.deepEqual(data.train.shape, [9, 32, 32, 3]);
  t.deepEqual(data.test?.shape, [2, 32, 32, 3]);
  t.deepEqual([...data.train.labels], [3, 9, 0, 1, 1, 2, 4, 5, 6]);
  t.deepEqual([...data.test!.labels], [8, 7]);
  t.deepEqual(data.train.ids.slice(0, 4), ['data_batch_1/00000', 'data_batch_1/00001', 'data_batch_1/00002', 'data_batch_2/00000']);
  t.deepEqual(data.test!.ids, ['test_batch/00000', 'test_batch/00001']);
  // Train image 1 is record 1 of batch 0; image 4 is record 1 of batch 1 (data_batch_2).
  for (const [y, x] of [[0, 0], [0, 31], [5, 17], [31, 0], [31, 31]]) {
    for (let c = 0; c < 3; c++) {
      t.is(at(data.train.images, 1, y, x, c), pixel(0, 1, y, x, c), `train 1 (${y},${x},${c})`);
      t.is(at(data.train.images, 4, y, x, c), pixel(1, 1, y, x, c), `train 4 (${y},${x},${c})`);
      t.is(at(data.test!.images, 1, y, x, c), pixel(5, 1, y, x, c), `test 1 (${y},${x},${c})`);
    }
  }
});

test('class names come from batches.meta.txt when present', async (t) => {
  const dir = await fixture(t);
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  await writeFile(path.join(dir, 'batches.meta.txt'), `${names.join('\n')}\n\n`);
  t.deepEqual((await readCifar10(dir)).classNames, names);
});

test('a label beyond the class names is rejected', async (t) => {
  const dir = await fixture(t);
  await writeFile(path.join(dir, 'batches.meta.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\n');
  await t.throwsAsync(readCifar10(dir), { instanceOf: UserError, message: /data_batch_1\.bin: record 1 has label 9, but there are only 8 classes/ });
});

test('a truncated batch names the file and the expected and actual bytes', async (t) => {
  const dir = await fixture(t);
  const file = path.join(dir, 'data_batch_2.bin');
  const bytes = await readFile(file);
  await writeFile(file, bytes.subarray(0, 3073 * 2 - 100));
  const error = await t.throwsAsync(readCifar10(dir), { instanceOf: UserError });
  t.true(error.message.includes(file), error.message);
  t.regex(error.message, /expected 6146 bytes \(2 records\), found 6046/);
});

test('a missing batch is a UserError naming it', async (t) => {
  const dir = await fixture(t);
  const file = path.join(dir, 'data_batch_4.bin');
  await rm(file);
  await t.throwsAsync(readCifar10(dir), { instanceOf: UserError, message: `CIFAR-10 file not found: ${file}` });
});

test('pointing at the parent of cifar-10-batches-bin suggests the right path', async (t) => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 's3gan-cifar-parent-'));
  t.teardown(() => rm(parent, { recursive: true, force: true }));
  await mkdir(path.join(parent, 'cifar-10-batches-bin'));
  await t.throwsAsync(readCifar10(parent), { instanceOf: UserError, message: /did you mean data\.path = .*cifar-10-batches-bin/ });
});

test('writeCifarBatch writes the exact record format', async (t) => {
  const dir = await fixture(t);
  const original = await readCifarBatch(path.join(dir, 'data_batch_1.bin'), 'data_batch_1', 10);
  const copy = path.join(dir, 'copy.bin');
  await writeCifarBatch(copy, original.images, original.labels);
  t.deepEqual(new Uint8Array(await readFile(copy)), handMadeBatch(0, BATCH_LABELS.data_batch_1));
  const reread = await readCifarBatch(copy, 'copy', 10);
  t.deepEqual(reread.images, original.images);
  t.deepEqual(reread.ids, ['copy/00000', 'copy/00001', 'copy/00002']);
});

test('encodeCifarRecords checks the image buffer size', (t) => {
  t.throws(() => encodeCifarRecords(new Uint8Array(100), [1]), { message: /100 pixel bytes for 1 images/ });
});
