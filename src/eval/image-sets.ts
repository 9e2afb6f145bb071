/**
 * The image sets `s3gan fid` compares: a folder of images, or a split of a dataset written
 * `NAME:SPLIT` (mnist:test, fashion-mnist:train, cifar10:test, image-folder:test for the configured
 * folder). A value holding '/' or starting with '.' is always a folder, so `./a:b` names a folder
 * called `a:b`.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { parseDatasetName } from '../data/registry.js';
import { decodeImage, IMAGE_EXTENSIONS, listImages } from '../data/image-folder.js';
import type { DatasetName } from '../data/options.js';
import { UNLABELLED } from '../data/types.js';
import { errorMessage, UserError } from '../util/errors.js';
import type { LabelledImages } from './images.js';
import type { EvalSplit } from './reference.js';

export type ImageSetSpec =
  | { readonly kind: 'folder'; readonly text: string; readonly path: string }
  | { readonly kind: 'split'; readonly text: string; readonly dataset: DatasetName; readonly split: EvalSplit };

const SPLITS: readonly EvalSplit[] = ['train', 'test'];

/** Parses one image-set argument; a UserError naming it for an unknown dataset or split. */
export function parseImageSetSpec(text: string): ImageSetSpec {
  const match = /^([A-Za-z0-9][\w-]*):([\w-]*)$/.exec(text);
  if (text.includes('/') || text.includes(path.sep) || text.startsWith('.') || match === null) {
    if (text.trim() === '') throw new UserError('image set: empty; give a folder or NAME:SPLIT (e.g. mnist:test)');
    return { kind: 'folder', text, path: path.resolve(text) };
  }
  const [, name, split] = match;
  let dataset: DatasetName;
  try {
    dataset = parseDatasetName(name);
  } catch (error) {
    throw new UserError(`image set ${text}: ${errorMessage(error)} (write ./${text} for a folder of that name)`);
  }
  if (!(SPLITS as readonly string[]).includes(split)) {
    throw new UserError(`image set ${text}: unknown split '${split}'; use ${SPLITS.map((s) => `${name}:${s}`).join(' or ')}`);
  }
  return { kind: 'split', text, dataset, split: split as EvalSplit };
}

/** The images of a folder spec, sorted; a UserError naming the argument when there are none. */
export async function listImageSet(spec: Extract<ImageSetSpec, { kind: 'folder' }>): Promise<string[]> {
  const info = await stat(spec.path).catch(() => undefined);
  if (info === undefined) throw new UserError(`image set ${spec.text}: no such folder (${spec.path})`);
  if (!info.isDirectory()) throw new UserError(`image set ${spec.text}: not a folder (${spec.path})`);
  const files = await listImages(spec.path);
  if (files.length === 0) throw new UserError(`image set ${spec.text}: no images (${IMAGE_EXTENSIONS.join(' ')}) in ${spec.path}`);
  return files;
}

/**
 * The images of a folder as uint8 NHWC with `channels` channels, at the size of its first image
 * (others are scaled to cover that square and centre-cropped, as image folders are read), so that
 * they reach the extractor through the same resizing as a dataset's images. Unlabelled.
 */
export async function readImageSet(spec: Extract<ImageSetSpec, { kind: 'folder' }>, channels: 1 | 3): Promise<LabelledImages> {
  const files = (await listImageSet(spec)).map((rel) => path.join(spec.path, rel));
  const decodeError = (file: string, error: unknown) => new UserError(`image set ${spec.text}: ${file}: cannot decode image: ${errorMessage(error)}`);
  // Bytes read here, not the file name given to sharp: libvips caches by name (see decodeImage).
  const first = await readFile(files[0])
    .then((bytes) => sharp(bytes).metadata())
    .catch((error: unknown) => {
      throw decodeError(files[0], error);
    });
  const size = Math.max(first.width ?? 0, first.height ?? 0);
  if (size === 0) throw decodeError(files[0], 'no dimensions');
  const bytes = size * size * channels;
  const images = new Uint8Array(files.length * bytes);
  // In order, a few at a time: folders of generated samples are small images, and many of them.
  const inFlight = 8;
  for (let start = 0; start < files.length; start += inFlight) {
    const chunk = files.slice(start, start + inFlight);
    const decoded = await Promise.all(
      chunk.map((file) =>
        decodeImage(file, size, channels).catch((error: unknown) => {
          throw decodeError(file, error);
        }),
      ),
    );
    decoded.forEach((pixels, k) => images.set(pixels, (start + k) * bytes));
  }
  return { images, shape: [files.length, size, size, channels], labels: new Int32Array(files.length).fill(UNLABELLED) };
}
