/**
 * Folders of PNG/JPEG/WebP images, decoded with sharp and resized to imageSize × imageSize
 * (scaled to cover the square, then centre-cropped, so the aspect ratio is kept).
 *
 * Two layouts (labelling in image-folder-labels.ts):
 *   (a) class subfolders, no label file: `<root>/<class>/…/<image>`, every image labelled by its
 *       top-level folder;
 *   (b) a label file (data.labelFile, see label-file.ts): images anywhere under the root, those it
 *       lists labelled, the others UNLABELLED.
 * Ids are the paths relative to the root with '/' separators, sorted by code unit so that the
 * order is the same on every machine and locale. The test split is the `test/` subfolder when
 * there is one, else a fixed class-balanced fraction (image-folder-split.ts).
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { UserError, errorMessage, invariant } from '../util/errors.js';
import { compareCodeUnits, labelsFromFile, labelsFromSubfolders, type FolderListing } from './image-folder-labels.js';
import { DEFAULT_TEST_FRACTION, TEST_FOLDER, splitByMask, testMask } from './image-folder-split.js';
import { checkLabelFile, readLabelFile } from './image-folder-label-file.js';
import type { DatasetOptions, ProgressFn } from './options.js';
import type { Dataset } from './types.js';

/** File extensions read as images (compared lower-cased). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp'];

export type ImageFolderOptions = Pick<
  DatasetOptions,
  'labelFile' | 'classNames' | 'imageSize' | 'channels' | 'testFraction' | 'skipCorrupt'
> & {
  /** The root folder. */
  readonly path: string;
};

/**
 * Relative '/'-separated paths of every image under `root`, sorted. Hidden entries (names
 * starting with '.') are skipped; symbolic links are followed, each real directory once.
 */
export async function listImages(root: string): Promise<string[]> {
  const absolute = path.resolve(root);
  let rootStat;
  try {
    rootStat = await stat(absolute);
  } catch (error) {
    throw new UserError(`data.path: image folder ${absolute} cannot be read: ${errorMessage(error)}`);
  }
  if (!rootStat.isDirectory()) throw new UserError(`data.path: ${absolute} is not a folder`);
  const found: string[] = [];
  const visited = new Set<string>();
  async function walk(dir: string, relative: string): Promise<void> {
    const real = await realpath(dir);
    if (visited.has(real)) return;
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const kind = entry.isSymbolicLink() ? await stat(full).catch(() => undefined) : entry;
      if (kind?.isDirectory()) await walk(full, rel);
      else if (kind?.isFile() && IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) found.push(rel);
    }
  }
  await walk(absolute, '');
  return found.sort(compareCodeUnits);
}

/** The subfolders of the root and of its test/ folder: class folders, which must not be empty. */
async function listFolders(root: string): Promise<FolderListing> {
  return { top: await listSubfolders(root), test: await listSubfolders(path.join(root, TEST_FOLDER)) };
}

/** Names of the subfolders of `dir` (hidden ones skipped, links followed), sorted; none when it is absent. */
async function listSubfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const kind = entry.isSymbolicLink() ? await stat(path.join(dir, entry.name)).catch(() => undefined) : entry;
    if (kind?.isDirectory()) names.push(entry.name);
  }
  return names.sort(compareCodeUnits);
}

/** Absolute paths of the files a read depends on: every image and the label file (for fingerprints). */
export async function imageFolderSourceFiles(root: string, labelFile?: string): Promise<string[]> {
  const absolute = path.resolve(root);
  const images = (await listImages(absolute)).map((rel) => path.join(absolute, rel));
  return labelFile === undefined ? images : [...images, await checkLabelFile(labelFile)];
}

/**
 * Reads an image folder into train and test [count, imageSize, imageSize, channels] uint8 NHWC.
 * Channels not given are inferred: 1 when every image is stored as grayscale, else 3.
 * Decodes with os.availableParallelism() images in flight, calling `onProgress(done, total)` as
 * each completes. An undecodable image is a UserError naming it, or with skipCorrupt is left out
 * and listed in `skipped` (absolute paths).
 */
export async function readImageFolder(options: ImageFolderOptions, onProgress?: ProgressFn): Promise<Dataset> {
  const root = path.resolve(options.path);
  const { imageSize } = options;
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  if (!Number.isInteger(imageSize) || imageSize < 1 || imageSize > 4096) {
    throw new UserError(`data.imageSize must be an integer 1..4096, got ${imageSize}`);
  }
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3) {
    throw new UserError(`data.channels must be 1 or 3, got ${String(options.channels)}`);
  }
  if (!(testFraction >= 0 && testFraction < 1)) throw new UserError(`data.testFraction must be in [0, 1), got ${testFraction}`);
  const ids = await listImages(root);
  if (ids.length === 0) throw new UserError(`data.path: no images (${IMAGE_EXTENSIONS.join(' ')}) under ${root}`);

  // 1. Labels, from the layout.
  const { classNames, labels } =
    options.labelFile === undefined
      ? labelsFromSubfolders(root, ids, await listFolders(root), options.classNames)
      : labelsFromFile(root, ids, await readLabelFile(options.labelFile), options.classNames);
  const channels = options.channels ?? (await inferChannels(root, ids));

  // 2. Decode into one buffer, slot i for image i; skipped slots are squeezed out afterwards.
  const imageBytes = imageSize * imageSize * channels;
  const images = new Uint8Array(ids.length * imageBytes);
  const failed = new Map<number, string>();
  let done = 0;
  await forEachConcurrently(ids.length, os.availableParallelism(), async (i) => {
    const file = path.join(root, ids[i]);
    try {
      images.set(await decodeImage(file, imageSize, channels), i * imageBytes);
    } catch (error) {
      if (!options.skipCorrupt) throw new UserError(`${file}: cannot decode image: ${errorMessage(error)}`);
      failed.set(i, file);
    }
    onProgress?.(++done, ids.length);
  });

  // 3. Compact, keeping file order.
  let kept = 0;
  const keptIds: string[] = [];
  const keptLabels = new Int32Array(ids.length - failed.size);
  for (let i = 0; i < ids.length; i++) {
    if (failed.has(i)) continue;
    if (kept !== i) images.copyWithin(kept * imageBytes, i * imageBytes, (i + 1) * imageBytes);
    keptIds.push(ids[i]);
    keptLabels[kept++] = labels[i];
  }
  if (kept === 0) throw new UserError(`data.path: none of the ${ids.length} images under ${root} could be decoded`);
  const skipped = [...failed.keys()].sort((a, b) => a - b).map((i) => failed.get(i) as string);
  const decoded = {
    images: images.subarray(0, kept * imageBytes),
    shape: [kept, imageSize, imageSize, channels] as const,
    labels: keptLabels,
    ids: keptIds,
  };
  // 4. Hold out the test split, after skipping, so that every split holds only decodable images.
  const { train, test } = splitByMask(decoded, testMask(keptIds, keptLabels, testFraction));
  return { name: 'image-folder', classNames, train, test, source: root, skipped };
}

/**
 * 1 when every image under `root` is stored with one colour channel (grayscale, alpha aside),
 * else 3. Decodes only the headers; an unreadable image is left to the decoding to report.
 */
export async function inferChannels(root: string, ids: readonly string[]): Promise<1 | 3> {
  let colour = false;
  await forEachConcurrently(ids.length, os.availableParallelism(), async (i) => {
    if (colour) return;
    try {
      const meta = await sharp(await readFile(path.join(root, ids[i]))).metadata();
      const bands = (meta.channels ?? 3) - (meta.hasAlpha === true ? 1 : 0);
      if (bands !== 1 && meta.space !== 'b-w' && meta.space !== 'grey16') colour = true;
    } catch {
      // Decoding reports it, or skips it with skipCorrupt.
    }
  });
  return colour ? 3 : 1;
}

/**
 * Decodes one image to `size`×`size`×`channels` uint8 HWC: EXIF orientation applied, alpha
 * dropped, converted to 8-bit sRGB (3) or 8-bit grey (1). Throws fs's or sharp's error unchanged.
 */
export async function decodeImage(file: string, size: number, channels: 1 | 3): Promise<Uint8Array> {
  // Read the bytes ourselves: libvips caches operations on file names, and a file rewritten in
  // place during a long-lived process must not come back decoded from its old contents.
  const bytes = await readFile(file);
  // failOn 'error' rejects truncated and broken files but accepts the harmless libjpeg warnings
  // that many real-world JPEGs trigger.
  const { data, info } = await sharp(bytes, { failOn: 'error' })
    .autoOrient()
    .resize(size, size, { fit: 'cover', position: 'centre' })
    .removeAlpha()
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  invariant(
    info.width === size && info.height === size && info.channels === channels && data.length === size * size * channels,
    `sharp returned ${info.width}×${info.height}×${info.channels} (${data.length} bytes) for ${file}`,
  );
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Runs `task(0)`..`task(count-1)` with at most `limit` in flight. On failure, starts no new task,
 * waits for those running, and throws the error of the lowest failing index, so that the error
 * reported does not depend on timing.
 */
async function forEachConcurrently(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const errors = new Map<number, unknown>();
  const worker = async (): Promise<void> => {
    while (errors.size === 0 && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (error) {
        errors.set(i, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
  if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
}
