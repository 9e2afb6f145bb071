/**
 * A folder of images, one PNG per image (`000000.png`, `000001.png`, … in order), with a
 * `labels.csv` (`file,label`, label = class name) when the images have classes: the layout an
 * image folder with a label file reads (data.labelFile, src/data/label-file.ts), and the kind of
 * folder `s3gan fid` and other tools score. The folder appears whole or not at all.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { invariant } from '../util/errors.js';
import { writeDirAtomic } from './atomic-dir.js';
import type { NhwcShape } from './image-grid.js';

/** The label file written next to the images of a labelled folder. */
export const IMAGE_FOLDER_LABELS_FILE = 'labels.csv';

export interface ImageFolderLabels {
  /** Class of each image, index into classNames. */
  readonly classes: Int32Array;
  readonly classNames: readonly string[];
}

/** A CSV field, double-quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** File name of image `index` of `count`: zero-padded to at least 6 digits, so names sort in order. */
export function imageFileName(index: number, count: number): string {
  return `${String(index).padStart(Math.max(6, String(count - 1).length), '0')}.png`;
}

/**
 * Writes `pixels` (uint8 NHWC of `shape`, 1 or 3 channels) as PNGs into the new folder `dir`, with
 * labels.csv when `labels` are given. An existing `dir` is replaced: the caller checks it may be.
 */
export async function writeImageFolder(dir: string, pixels: Uint8Array, shape: NhwcShape, labels?: ImageFolderLabels): Promise<void> {
  const [n, height, width, channels] = shape;
  const bytes = height * width * channels;
  invariant(channels === 1 || channels === 3, `PNG folders take 1 or 3 channels, got ${channels}`);
  invariant(pixels.length === n * bytes, `images hold ${pixels.length} bytes, shape [${shape.join(', ')}] needs ${n * bytes}`);
  invariant(labels === undefined || labels.classes.length === n, `${labels?.classes.length} labels for ${n} images`);
  await writeDirAtomic(dir, async (temp) => {
    const rows = ['file,label'];
    for (let i = 0; i < n; i++) {
      const name = imageFileName(i, n);
      let image = sharp(pixels.subarray(i * bytes, (i + 1) * bytes), { raw: { width, height, channels } });
      // sharp would otherwise widen one-channel input to sRGB: keep grey images grey.
      if (channels === 1) image = image.toColourspace('b-w');
      await writeFile(path.join(temp, name), await image.png().toBuffer());
      if (labels !== undefined) rows.push(`${name},${csvField(labels.classNames[labels.classes[i]] ?? String(labels.classes[i]))}`);
    }
    if (labels !== undefined) await writeFile(path.join(temp, IMAGE_FOLDER_LABELS_FILE), `${rows.join('\n')}\n`);
  });
}
