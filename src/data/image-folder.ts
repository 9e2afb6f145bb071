/**
 * Folders of PNG/JPEG/WebP images, decoded with sharp and resized to imageSize × imageSize
 * (scaled to cover the square, then centre-cropped, so the aspect ratio is kept).
 *
 * Two layouts:
 *   (a) class subfolders, no label file: `<root>/<class>/…/<image>`, every image labelled by its
 *       top-level folder;
 *   (b) a label file (data.labelFile, see label-file.ts): images anywhere under the root, those it
 *       lists labelled, the others UNLABELLED.
 * Ids are the paths relative to the root with '/' separators, sorted by code unit so that the
 * order is the same on every machine and locale. There is no test split.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { UserError, errorMessage, invariant } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { entryLocation, readLabelFile, type LabelFile } from './label-file.js';
import type { DatasetOptions, ProgressFn } from './options.js';
import { UNLABELLED, type Dataset } from './types.js';

/** File extensions read as images (compared lower-cased). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp'];

export type ImageFolderOptions = Pick<DatasetOptions, 'labelFile' | 'classNames' | 'imageSize' | 'channels' | 'skipCorrupt'> & {
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

/** Absolute paths of the files a read depends on: every image and the label file (for fingerprints). */
export async function imageFolderSourceFiles(root: string, labelFile?: string): Promise<string[]> {
  const absolute = path.resolve(root);
  const images = (await listImages(absolute)).map((rel) => path.join(absolute, rel));
  return labelFile === undefined ? images : [...images, path.resolve(labelFile)];
}

/**
 * Reads an image folder into train [count, imageSize, imageSize, channels] uint8 NHWC.
 * Decodes with os.availableParallelism() images in flight, calling `onProgress(done, total)` as
 * each completes. An undecodable image is a UserError naming it, or with skipCorrupt is left out
 * and listed in `skipped` (absolute paths).
 */
export async function readImageFolder(options: ImageFolderOptions, onProgress?: ProgressFn): Promise<Dataset> {
  const root = path.resolve(options.path);
  const { imageSize, channels } = options;
  if (!Number.isInteger(imageSize) || imageSize < 1 || imageSize > 4096) {
    throw new UserError(`data.imageSize must be an integer 1..4096, got ${imageSize}`);
  }
  if (channels !== 1 && channels !== 3) throw new UserError(`data.channels must be 1 or 3, got ${String(channels)}`);
  const ids = await listImages(root);
  if (ids.length === 0) throw new UserError(`data.path: no images (${IMAGE_EXTENSIONS.join(' ')}) under ${root}`);

  // 1. Labels, from the layout.
  const { classNames, labels } =
    options.labelFile === undefined
      ? labelsFromSubfolders(root, ids, options.classNames)
      : labelsFromFile(root, ids, await readLabelFile(options.labelFile), options.classNames);

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
  return {
    name: 'image-folder',
    classNames,
    train: {
      images: images.subarray(0, kept * imageBytes),
      shape: [kept, imageSize, imageSize, channels],
      labels: keptLabels,
      ids: keptIds,
    },
    source: root,
    skipped,
  };
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

interface Labelling {
  readonly classNames: readonly string[];
  /** Per image id, in id order. */
  readonly labels: Int32Array;
}

/** Layout (a): the top-level folder of each image is its class. */
function labelsFromSubfolders(root: string, ids: readonly string[], given?: readonly string[]): Labelling {
  const loose = ids.find((id) => !id.includes('/'));
  if (loose !== undefined) {
    throw new UserError(
      `data.path: ${path.join(root, loose)} is not in a class subfolder; put each image in a folder named after its class, or give data.labelFile`,
    );
  }
  const folders = [...new Set(ids.map((id) => id.slice(0, id.indexOf('/'))))].sort(compareCodeUnits);
  const classNames = given === undefined ? folders : checkedClassNames(given);
  for (const folder of folders) {
    if (!classNames.includes(folder)) {
      throw new UserError(
        `${path.join(root, folder)}: folder '${folder}' is not one of data.classNames${didYouMean(folder, classNames)}; ` +
          `classes: ${classNames.join(', ')}`,
      );
    }
  }
  const index = new Map(classNames.map((name, i) => [name, i]));
  const labels = Int32Array.from(ids, (id) => index.get(id.slice(0, id.indexOf('/'))) as number);
  return { classNames, labels };
}

/** Layout (b): labels from the label file; images it does not list are unlabelled. */
function labelsFromFile(
  root: string,
  ids: readonly string[],
  labelFile: LabelFile,
  given?: readonly string[],
): Labelling {
  if (labelFile.entries.length === 0) throw new UserError(`${labelFile.path}: labels no image`);
  if (given !== undefined && labelFile.classes !== undefined && given.join('\n') !== labelFile.classes.join('\n')) {
    throw new UserError(
      `data.classNames (${given.join(', ')}) differs from the "classes" of ${labelFile.path} (${labelFile.classes.join(', ')})`,
    );
  }
  const classNames = checkedClassNames(
    given ?? labelFile.classes ?? [...new Set(labelFile.entries.map((e) => e.label))].sort(compareCodeUnits),
  );
  const classIndex = new Map(classNames.map((name, i) => [name, i]));
  const imageIndex = new Map(ids.map((id, i) => [id, i]));
  const labels = new Int32Array(ids.length).fill(UNLABELLED);
  for (const entry of labelFile.entries) {
    const where = entryLocation(labelFile, entry);
    const i = imageIndex.get(entry.file);
    if (i === undefined) {
      throw new UserError(`${where}: image '${entry.file}' does not exist in ${root}${didYouMean(entry.file, ids)}`);
    }
    const label = classIndex.get(entry.label);
    if (label === undefined) {
      throw new UserError(
        `${where}: unknown class '${entry.label}'${didYouMean(entry.label, classNames)}; classes: ${classNames.join(', ')}`,
      );
    }
    labels[i] = label;
  }
  return { classNames, labels };
}

function checkedClassNames(names: readonly string[]): readonly string[] {
  if (names.length === 0) throw new UserError('data.classNames is empty');
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new UserError(`data.classNames lists '${duplicate}' twice`);
  return names;
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

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
