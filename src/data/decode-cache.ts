/**
 * A decode cache: a dataset once decoded is kept as raw uint8 pixels, so that loading it again
 * costs one sequential read instead of parsing JSON or decoding thousands of images.
 *
 * Layout, under `<cacheDir>/<reader>-<key hash>/`:
 *   images.bin   the images of every split, concatenated (train first), NHWC uint8
 *   index.json   shapes, labels, ids, class names, skipped files, the byte length and SHA-256 of
 *                images.bin, and the fingerprint of the sources
 * The key hash covers every option that changes the decoded pixels (reader, absolute path, size,
 * channels, test fraction, label file, class names, skipCorrupt); the fingerprint covers every source file's
 * relative path, size and mtime, so an edited, added or removed file invalidates the cache.
 *
 * Both files are written atomically (temp file in the same directory, fsync, rename), the binary
 * first and the index last: the index is the commit point. A cache whose index does not parse, or
 * whose binary has another length or hash than the index records, is never trusted: it is rebuilt.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { UserError, errorMessage } from '../util/errors.js';
import type { Dataset, ImageSplit } from './types.js';

/** Bumped whenever the layout changes, so old caches read as stale instead of being misread. */
export const CACHE_FORMAT = 1;
const BINARY_FILE = 'images.bin';
const INDEX_FILE = 'index.json';
/** Chunk size of binary reads and writes: bounded memory for hashing and under the 2 GiB I/O limit. */
const CHUNK_BYTES = 64 * 1024 * 1024;

/** What a load found: a valid cache, none, one for other sources, or a damaged one. */
export type CacheStatus = 'hit' | 'missing' | 'stale' | 'corrupt';

export interface CacheSpec {
  /** Directory holding all caches (data.cacheDir). */
  readonly cacheDir: string;
  /** Everything that changes the decoded output; `reader` names the directory. JSON-serialisable. */
  readonly key: { readonly reader: string } & Readonly<Record<string, unknown>>;
  /** Directory the fingerprinted paths are made relative to. */
  readonly root: string;
  /** Absolute paths of every source file the dataset is decoded from. */
  readonly files: readonly string[];
}

/** The cache directory of a key: `<cacheDir>/<reader>-<first 24 hex digits of its SHA-256>`. */
export function cacheDirFor(cacheDir: string, key: CacheSpec['key']): string {
  const hash = createHash('sha256').update(JSON.stringify({ format: CACHE_FORMAT, ...key })).digest('hex');
  return path.resolve(cacheDir, `${key.reader.replace(/[^A-Za-z0-9_-]/g, '_')}-${hash.slice(0, 24)}`);
}

/** SHA-256 over each file's path relative to `root`, size and mtimeMs, in the given order. */
export async function fingerprintFiles(root: string, files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  // Stat in batches: tens of thousands at once would exhaust file handles on some systems.
  const BATCH = 256;
  for (let start = 0; start < files.length; start += BATCH) {
    const batch = files.slice(start, start + BATCH);
    const stats = await Promise.all(
      batch.map((file) =>
        stat(file).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`source file not found: ${file}`);
          throw new UserError(`cannot read ${file}: ${errorMessage(error)}`);
        }),
      ),
    );
    batch.forEach((file, i) => {
      const rel = path.relative(root, file).split(path.sep).join('/');
      hash.update(`${rel}\0${stats[i].size}\0${stats[i].mtimeMs}\n`);
    });
  }
  return hash.digest('hex');
}

/**
 * Returns the dataset from the cache when it is valid for the current sources, else calls
 * `build`, stores its result and returns it. `onStatus` learns what was found and where.
 */
export async function loadThroughCache(
  spec: CacheSpec,
  build: () => Promise<Dataset>,
  onStatus?: (status: CacheStatus, dir: string) => void,
): Promise<Dataset> {
  const dir = cacheDirFor(spec.cacheDir, spec.key);
  // Fingerprint before building: a source edited during the build then reads as stale next time.
  const fingerprint = await fingerprintFiles(spec.root, spec.files);
  const cached = await readCache(dir, fingerprint);
  onStatus?.(typeof cached === 'string' ? cached : 'hit', dir);
  if (typeof cached !== 'string') return cached;
  const dataset = await build();
  await writeCache(dir, dataset, fingerprint, spec.key);
  return dataset;
}

interface SplitIndex {
  readonly shape: [number, number, number, number];
  readonly byteOffset: number;
  readonly labels: number[];
  readonly ids: string[];
}

interface CacheIndex {
  readonly format: number;
  readonly key: unknown;
  readonly fingerprint: string;
  readonly name: string;
  readonly classNames: string[];
  readonly source: string;
  readonly skipped?: string[];
  readonly binary: { readonly bytes: number; readonly sha256: string };
  readonly train: SplitIndex;
  readonly test?: SplitIndex;
}

/** Reads the cache in `dir` if it is complete, intact and made from sources with `fingerprint`. */
export async function readCache(dir: string, fingerprint: string): Promise<Dataset | Exclude<CacheStatus, 'hit'>> {
  let index: CacheIndex;
  try {
    index = JSON.parse(await readFile(path.join(dir, INDEX_FILE), 'utf8')) as CacheIndex;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'corrupt';
  }
  if (typeof index !== 'object' || index === null) return 'corrupt';
  if (index.format !== CACHE_FORMAT) return 'stale';
  if (index.fingerprint !== fingerprint) return 'stale';
  if (!isValidIndex(index)) return 'corrupt';
  const splits = index.test === undefined ? [index.train] : [index.train, index.test];
  const arrays = splits.map((s) => new Uint8Array(s.shape[0] * s.shape[1] * s.shape[2] * s.shape[3]));
  let file;
  try {
    file = await open(path.join(dir, BINARY_FILE), 'r');
  } catch {
    return 'corrupt';
  }
  try {
    if ((await file.stat()).size !== index.binary.bytes) return 'corrupt';
    const hash = createHash('sha256');
    for (const [i, array] of arrays.entries()) {
      for (let done = 0; done < array.length; ) {
        const length = Math.min(CHUNK_BYTES, array.length - done);
        const { bytesRead } = await file.read(array, done, length, splits[i].byteOffset + done);
        if (bytesRead === 0) return 'corrupt';
        hash.update(array.subarray(done, done + bytesRead));
        done += bytesRead;
      }
    }
    if (hash.digest('hex') !== index.binary.sha256) return 'corrupt';
  } finally {
    await file.close();
  }
  const toSplit = (s: SplitIndex, images: Uint8Array): ImageSplit => ({
    images,
    shape: s.shape,
    labels: Int32Array.from(s.labels),
    ids: s.ids,
  });
  return {
    name: index.name,
    classNames: index.classNames,
    train: toSplit(index.train, arrays[0]),
    test: index.test === undefined ? undefined : toSplit(index.test, arrays[1]),
    source: index.source,
    skipped: index.skipped,
  };
}

/** Writes `dataset` as the cache in `dir`, replacing any previous one atomically. */
export async function writeCache(dir: string, dataset: Dataset, fingerprint: string, key: unknown = null): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const splits = dataset.test === undefined ? [dataset.train] : [dataset.train, dataset.test];
    const hash = createHash('sha256');
    let bytes = 0;
    const offsets: number[] = [];
    await writeAtomically(path.join(dir, BINARY_FILE), async (write) => {
      for (const split of splits) {
        offsets.push(bytes);
        for (let done = 0; done < split.images.length; done += CHUNK_BYTES) {
          const chunk = split.images.subarray(done, Math.min(done + CHUNK_BYTES, split.images.length));
          hash.update(chunk);
          await write(chunk);
        }
        bytes += split.images.length;
      }
    });
    const splitIndex = (s: ImageSplit, byteOffset: number): SplitIndex => ({
      shape: [...s.shape],
      byteOffset,
      labels: Array.from(s.labels),
      ids: [...s.ids],
    });
    const index: CacheIndex = {
      format: CACHE_FORMAT,
      key,
      fingerprint,
      name: dataset.name,
      classNames: [...dataset.classNames],
      source: dataset.source,
      skipped: dataset.skipped === undefined ? undefined : [...dataset.skipped],
      binary: { bytes, sha256: hash.digest('hex') },
      train: splitIndex(dataset.train, offsets[0]),
      test: dataset.test === undefined ? undefined : splitIndex(dataset.test, offsets[1]),
    };
    const json = new TextEncoder().encode(JSON.stringify(index));
    await writeAtomically(path.join(dir, INDEX_FILE), (write) => write(json));
  } catch (error) {
    throw new UserError(`cannot write the decode cache in ${dir} (data.cacheDir): ${errorMessage(error)}`);
  }
}

/** Writes through `fill` into a temp file beside `target`, fsyncs it, then renames it over `target`. */
async function writeAtomically(
  target: string,
  fill: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temp, 'w');
  try {
    await fill(async (bytes) => {
      for (let done = 0; done < bytes.length; ) {
        const { bytesWritten } = await file.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
    });
    await file.sync();
    await file.close();
    await rename(temp, target);
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // Make the rename itself durable; not every platform can fsync a directory, and that is harmless.
  const parent = await open(path.dirname(target), 'r').catch(() => undefined);
  await parent?.sync().catch(() => undefined);
  await parent?.close();
}

function isValidIndex(index: CacheIndex): boolean {
  const splitOk = (s: SplitIndex | undefined): boolean =>
    s !== undefined &&
    Array.isArray(s.shape) &&
    s.shape.length === 4 &&
    s.shape.every((d) => Number.isInteger(d) && d >= 0) &&
    Number.isInteger(s.byteOffset) &&
    Array.isArray(s.labels) &&
    Array.isArray(s.ids) &&
    s.labels.length === s.shape[0] &&
    s.ids.length === s.shape[0];
  const bytes = (s: SplitIndex): number => s.shape[0] * s.shape[1] * s.shape[2] * s.shape[3];
  return (
    Array.isArray(index.classNames) &&
    typeof index.name === 'string' &&
    typeof index.source === 'string' &&
    typeof index.binary?.bytes === 'number' &&
    typeof index.binary.sha256 === 'string' &&
    splitOk(index.train) &&
    (index.test === undefined || splitOk(index.test)) &&
    index.binary.bytes === bytes(index.train) + (index.test === undefined ? 0 : bytes(index.test))
  );
}
