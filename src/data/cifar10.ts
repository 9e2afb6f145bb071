/**
 * CIFAR-10 in its binary distribution (https://www.cs.toronto.edu/~kriz/cifar.html), the
 * `cifar-10-batches-bin/` directory: data_batch_1.bin … data_batch_5.bin (training, 10,000 each)
 * and test_batch.bin (test, 10,000). Each record is 3073 bytes: the label byte, then the 32×32
 * red plane, green plane and blue plane, each row-major. s3gan holds images NHWC, so the planes
 * are interleaved on reading.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError, errorMessage } from '../util/errors.js';
import type { ProgressFn } from './options.js';
import type { Dataset, ImageSplit } from './types.js';

export const CIFAR_SIDE = 32;
export const CIFAR_CHANNELS = 3;
/** Bytes per record: one label byte and 32×32×3 pixel bytes. */
export const CIFAR_RECORD_BYTES = 1 + CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS;

export const CIFAR10_TRAIN_BATCHES: readonly string[] = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}`);
export const CIFAR10_TEST_BATCH = 'test_batch';
/** Optional file of class names, one per line, in label order. */
export const CIFAR10_META_FILE = 'batches.meta.txt';

/** The names in the official batches.meta.txt, used when that file is absent. */
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/**
 * Absolute paths of the files read from `dir` (for cache fingerprints); the meta file when
 * present. A missing batch is the same UserError, with the same hint, as when reading it.
 */
export function cifar10SourceFiles(dir: string): string[] {
  const batches = [...CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH].map((b) => path.resolve(dir, `${b}.bin`));
  const missing = batches.find((file) => !existsSync(file));
  if (missing !== undefined) throw cifarFileNotFound(missing);
  const meta = path.resolve(dir, CIFAR10_META_FILE);
  return existsSync(meta) ? [...batches, meta] : batches;
}

/**
 * Reads the `cifar-10-batches-bin/` directory `dir`: train [50000, 32, 32, 3] from the five data
 * batches in order, test [10000, 32, 32, 3]. Ids are '<batch>/<record index>', e.g.
 * 'data_batch_1/00042' and 'test_batch/00042'.
 */
export async function readCifar10(dir: string, onProgress?: ProgressFn): Promise<Dataset> {
  const root = path.resolve(dir);
  const classNames = await readClassNames(root);
  const batches = [...CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH];
  const decoded: ImageSplit[] = [];
  for (const [i, batch] of batches.entries()) {
    decoded.push(await readCifarBatch(path.join(root, `${batch}.bin`), batch, classNames.length));
    onProgress?.(i + 1, batches.length);
  }
  return {
    name: 'cifar10',
    classNames,
    train: concatSplits(decoded.slice(0, CIFAR10_TRAIN_BATCHES.length)),
    test: decoded[decoded.length - 1],
    source: root,
  };
}

/**
 * Reads one binary batch file. `idPrefix` starts each id ('<idPrefix>/00042'); labels must be
 * below `numClasses`.
 */
export async function readCifarBatch(file: string, idPrefix: string, numClasses: number): Promise<ImageSplit> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw cifarFileNotFound(file);
    throw new UserError(`cannot read CIFAR-10 file ${file}: ${errorMessage(error)}`);
  }
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
    const count = Math.max(1, Math.round(bytes.length / CIFAR_RECORD_BYTES));
    throw new UserError(
      `${file}: not a CIFAR-10 binary batch: its size must be a multiple of ${CIFAR_RECORD_BYTES} bytes per record; ` +
        `expected ${count * CIFAR_RECORD_BYTES} bytes (${count} records), found ${bytes.length}`,
    );
  }
  const n = bytes.length / CIFAR_RECORD_BYTES;
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const images = new Uint8Array(n * plane * CIFAR_CHANNELS);
  const labels = new Int32Array(n);
  const ids: string[] = [];
  for (let r = 0; r < n; r++) {
    const record = r * CIFAR_RECORD_BYTES;
    const label = bytes[record];
    if (label >= numClasses) {
      throw new UserError(`${file}: record ${r} has label ${label}, but there are only ${numClasses} classes`);
    }
    labels[r] = label;
    ids.push(`${idPrefix}/${String(r).padStart(5, '0')}`);
    // CHW planes → HWC: pixel p of channel c moves from record+1+c*plane+p to out+p*3+c.
    const out = r * plane * CIFAR_CHANNELS;
    for (let c = 0; c < CIFAR_CHANNELS; c++) {
      const src = record + 1 + c * plane;
      for (let p = 0; p < plane; p++) images[out + p * CIFAR_CHANNELS + c] = bytes[src + p];
    }
  }
  return { images, shape: [n, CIFAR_SIDE, CIFAR_SIDE, CIFAR_CHANNELS], labels, ids };
}

/** Users often point data.path at the folder the archive was unpacked in: suggest the one inside. */
function cifarFileNotFound(file: string): UserError {
  const nested = path.join(path.dirname(file), 'cifar-10-batches-bin');
  const hint = existsSync(nested) ? ` (did you mean data.path = ${nested}?)` : '';
  return new UserError(`CIFAR-10 file not found: ${file}${hint}`);
}

/**
 * Encodes images in the CIFAR binary record format.
 * `images`: NHWC uint8 [n, 32, 32, 3]; `labels`: n values in 0..255. Returns n × 3073 bytes.
 */
export function encodeCifarRecords(images: Uint8Array, labels: ArrayLike<number>): Uint8Array {
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const n = labels.length;
  if (images.length !== n * plane * CIFAR_CHANNELS) {
    throw new Error(`encodeCifarRecords: ${images.length} pixel bytes for ${n} images of 32×32×3`);
  }
  const out = new Uint8Array(n * CIFAR_RECORD_BYTES);
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    if (!Number.isInteger(label) || label < 0 || label > 255) throw new Error(`encodeCifarRecords: label ${label}`);
    const record = r * CIFAR_RECORD_BYTES;
    out[record] = label;
    const src = r * plane * CIFAR_CHANNELS;
    for (let c = 0; c < CIFAR_CHANNELS; c++) {
      const dst = record + 1 + c * plane;
      for (let p = 0; p < plane; p++) out[dst + p] = images[src + p * CIFAR_CHANNELS + c];
    }
  }
  return out;
}

/** Writes a CIFAR binary batch file from NHWC uint8 [n, 32, 32, 3] images and their labels. */
export async function writeCifarBatch(file: string, images: Uint8Array, labels: ArrayLike<number>): Promise<void> {
  await writeFile(file, encodeCifarRecords(images, labels));
}

/** Class names from batches.meta.txt (non-empty lines, in order), else the standard ten. */
async function readClassNames(root: string): Promise<readonly string[]> {
  const file = path.join(root, CIFAR10_META_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return CIFAR10_CLASS_NAMES;
    throw new UserError(`cannot read ${file}: ${errorMessage(error)}`);
  }
  // The official file ends with blank lines; names themselves never are blank.
  const names = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  if (names.length === 0) throw new UserError(`${file} lists no class names`);
  if (new Set(names).size !== names.length) throw new UserError(`${file} lists a class name twice`);
  return names;
}

/** Concatenates splits of equal image shape, in order. */
function concatSplits(splits: readonly ImageSplit[]): ImageSplit {
  const [, h, w, c] = splits[0].shape;
  const total = splits.reduce((sum, s) => sum + s.shape[0], 0);
  const images = new Uint8Array(total * h * w * c);
  const labels = new Int32Array(total);
  let n = 0;
  for (const s of splits) {
    images.set(s.images, n * h * w * c);
    labels.set(s.labels, n);
    n += s.shape[0];
  }
  return { images, shape: [total, h, w, c], labels, ids: splits.flatMap((s) => s.ids) };
}
