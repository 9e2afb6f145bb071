import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeIdx, parseIdx, parseIdxImages, parseIdxLabels, readIdxFile } from '../../src/data/idx.js';
import { UserError } from '../../src/util/errors.js';

/** An IDX image file of 2 images of 2×3, written byte by byte: magic, 3 big-endian sizes, pixels. */
function tinyImageFile(): Uint8Array {
  return Uint8Array.from([
    0x00, 0x00, 0x08, 0x03, // magic 0x00000803: ubyte, 3 dimensions
    0x00, 0x00, 0x00, 0x02, // count 2
    0x00, 0x00, 0x00, 0x02, // rows 2
    0x00, 0x00, 0x00, 0x03, // cols 3
    1, 2, 3, 4, 5, 6, // image 0
    250, 251, 252, 253, 254, 255, // image 1
  ]);
}

test('parseIdxImages reads the header sizes and the pixels row-major', (t) => {
  const images = parseIdxImages(tinyImageFile(), 'tiny');
  t.is(images.count, 2);
  t.is(images.rows, 2);
  t.is(images.cols, 3);
  t.deepEqual([...images.pixels], [1, 2, 3, 4, 5, 6, 250, 251, 252, 253, 254, 255]);
});

test('parseIdxLabels reads a 1-dimensional file', (t) => {
  const bytes = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 4, 7, 0, 9, 3]);
  t.deepEqual([...parseIdxLabels(bytes, 'labels')], [7, 0, 9, 3]);
});

test('a label file where images are expected is rejected by its magic number', (t) => {
  const bytes = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 1, 5]);
  const error = t.throws(() => parseIdxImages(bytes, 'some/labels-file'), { instanceOf: UserError });
  t.regex(error.message, /some\/labels-file: IDX magic number is 0x00000801, expected 0x00000803/);
});

test('a non-ubyte IDX type is rejected', (t) => {
  const bytes = Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]); // 0x0D = float
  t.throws(() => parseIdx(bytes, 'floats'), { instanceOf: UserError, message: /floats: not an unsigned-byte IDX file/ });
});

test('a truncated file names the file and the expected and actual byte counts', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3gan-idx-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'train-images-idx3-ubyte');
  await writeFile(file, tinyImageFile().subarray(0, 20));
  const bytes = await readIdxFile(file);
  const error = t.throws(() => parseIdxImages(bytes, file), { instanceOf: UserError });
  t.true(error.message.includes(file));
  t.regex(error.message, /expected 28 bytes, found 20/);
});

test('trailing bytes are rejected too', (t) => {
  const padded = new Uint8Array(29);
  padded.set(tinyImageFile());
  t.throws(() => parseIdxImages(padded, 'padded'), { instanceOf: UserError, message: /expected 28 bytes, found 29/ });
});

test('a missing file is a UserError naming it', async (t) => {
  const file = path.join(os.tmpdir(), 's3gan-no-such-dir', 'nothing-idx1-ubyte');
  await t.throwsAsync(readIdxFile(file), { instanceOf: UserError, message: new RegExp(`not found: ${file}`) });
});

test('encodeIdx writes what parseIdx reads, byte for byte like a hand-written file', (t) => {
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6, 250, 251, 252, 253, 254, 255]);
  t.deepEqual(encodeIdx([2, 2, 3], data), tinyImageFile());
  const parsed = parseIdx(encodeIdx([3, 4], new Uint8Array(12).fill(9)), 'x');
  t.deepEqual(parsed.dims, [3, 4]);
  t.is(parsed.data.length, 12);
});
