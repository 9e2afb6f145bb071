/**
 * Image grids for looking at samples and datasets: many small NHWC uint8 images laid out in rows
 * with padding between them (like torchvision's make_grid), optionally enlarged, optionally with
 * a label left of each row (class names, grid-labels.ts), and written as PNG, JPEG or WebP. Layout
 * is pure; only writeGridImage touches sharp and the disk.
 */
import * as path from 'node:path';
import sharp from 'sharp';
import type { ImageSplit } from '../data/types.js';
import { invariant } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { writeFileAtomic } from './atomic-write.js';
import { labelMargin, renderLabels, type GridLabel } from './grid-labels.js';

/** A laid-out grid: row-major interleaved pixels, [height, width, channels]. */
export interface Grid {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** Background grey level, for drawing the labels in a contrasting colour. */
  readonly background: number;
  /** Row labels, drawn in the left margin when the grid is encoded (none when empty). */
  readonly labels: readonly GridLabel[];
}

export interface GridOptions {
  /** Images per row (≥ 1). */
  readonly columns: number;
  /** Integer upscaling factor, nearest neighbour, so that 28×28 digits stay crisp (default 1). */
  readonly scale?: number;
  /** Pixels of background around and between images, after scaling (default 2). */
  readonly padding?: number;
  /** Background grey level 0..255, used for padding and for empty cells (default 0). */
  readonly background?: number;
  /**
   * A label per row (at most one per row; e.g. class names), drawn left of the row in a margin as
   * wide as the longest label. Default: no labels and no margin.
   */
  readonly rowLabels?: readonly string[];
}

/** [count, height, width, channels] */
export type NhwcShape = readonly [number, number, number, number];

function checkShape(images: Uint8Array, shape: NhwcShape): void {
  const [n, h, w, c] = shape;
  const shown = `[${shape.join(', ')}]`;
  invariant(shape.every((d) => Number.isInteger(d) && d > 0), `image shape must be positive integers, got ${shown}`);
  invariant(c === 1 || c === 3, `image grids take 1 or 3 channels, got ${c}`);
  const bytes = n * h * w * c;
  invariant(images.length === bytes, `images hold ${images.length} bytes, shape ${shown} needs ${bytes}`);
}

/**
 * Lays out `images` (NHWC uint8, shape [n, h, w, c], c = 1 or 3) in rows of `columns`, in order,
 * each enlarged `scale` times. Image i sits at row ⌊i / columns⌋, column i mod columns, its top-left
 * pixel at x = margin + padding + column·(w·scale + padding), y = padding + row·(h·scale + padding),
 * where margin is the width of the row labels (labelMargin; 0 without them). Cells past the last
 * image are background.
 */
export function imageGrid(images: Uint8Array, shape: NhwcShape, options: GridOptions): Grid {
  checkShape(images, shape);
  const [n, h, w, c] = shape;
  const { columns, scale = 1, padding = 2, background = 0 } = options;
  invariant(Number.isInteger(columns) && columns >= 1, `columns must be an integer ≥ 1, got ${columns}`);
  invariant(Number.isInteger(scale) && scale >= 1, `scale must be an integer ≥ 1, got ${scale}`);
  invariant(Number.isInteger(padding) && padding >= 0, `padding must be an integer ≥ 0, got ${padding}`);
  invariant(
    Number.isInteger(background) && background >= 0 && background <= 255,
    `background must be an integer 0..255, got ${background}`,
  );

  const rows = Math.ceil(n / columns);
  const cellW = w * scale;
  const cellH = h * scale;
  invariant((options.rowLabels?.length ?? 0) <= rows, `${options.rowLabels?.length} row labels for ${rows} rows`);
  const margin = labelMargin(options.rowLabels, cellH, padding);
  const width = margin.width + padding + columns * (cellW + padding);
  const height = padding + rows * (cellH + padding);
  const pixels = new Uint8Array(width * height * c).fill(background);
  const labels = margin.texts.map((text, row) => ({ text, x: padding, top: padding + row * (cellH + padding), height: cellH, fontPx: margin.fontPx }));

  for (let i = 0; i < n; i++) {
    const x0 = margin.width + padding + (i % columns) * (cellW + padding);
    const y0 = padding + Math.floor(i / columns) * (cellH + padding);
    const src = i * h * w * c;
    for (let y = 0; y < cellH; y++) {
      const srcRow = src + Math.floor(y / scale) * w * c;
      let dst = ((y0 + y) * width + x0) * c;
      for (let x = 0; x < cellW; x++) {
        const s = srcRow + Math.floor(x / scale) * c;
        for (let k = 0; k < c; k++) pixels[dst++] = images[s + k];
      }
    }
  }
  return { pixels, width, height, channels: c as 1 | 3, background, labels };
}

/**
 * Picks `perClass` images of each class 0..classCount-1 and lays them out one row per class (row =
 * class index). Without `rng` the first images of each class, in split order, are taken; with it, a
 * random choice (reproducible from the rng's seed). A class with fewer images leaves the rest of
 * its row as background. Unlabelled images (label -1) are never shown.
 */
export function gridByClass(
  split: Pick<ImageSplit, 'images' | 'shape' | 'labels'>,
  classCount: number,
  perClass: number,
  options: Omit<GridOptions, 'columns'> & { readonly rng?: Rng } = {},
): Grid {
  checkShape(split.images, split.shape);
  const [n, h, w, c] = split.shape;
  invariant(Number.isInteger(classCount) && classCount >= 1, `classCount must be an integer ≥ 1, got ${classCount}`);
  invariant(Number.isInteger(perClass) && perClass >= 1, `perClass must be an integer ≥ 1, got ${perClass}`);
  invariant(split.labels.length === n, `${split.labels.length} labels for ${n} images`);

  // 1. Indices of each class's images, in split order.
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  for (let i = 0; i < n; i++) {
    const label = split.labels[i];
    if (label < 0) continue;
    invariant(label < classCount, `image ${i} has label ${label}, but there are ${classCount} classes`);
    byClass[label].push(i);
  }

  // 2. Copy the chosen images into a [classCount × perClass] batch; empty slots keep the background.
  const background = options.background ?? 0;
  const imageSize = h * w * c;
  const batch = new Uint8Array(classCount * perClass * imageSize).fill(background);
  byClass.forEach((indices, label) => {
    const chosen = options.rng === undefined ? indices : options.rng.shuffle(indices.slice());
    chosen.slice(0, perClass).forEach((index, slot) => {
      const from = index * imageSize;
      batch.set(split.images.subarray(from, from + imageSize), (label * perClass + slot) * imageSize);
    });
  });

  // 3. One row per class.
  const { scale, padding, rowLabels } = options;
  return imageGrid(batch, [classCount * perClass, h, w, c], { columns: perClass, scale, padding, background, rowLabels });
}

/** Image formats a grid can be written in. */
export type GridFormat = 'png' | 'jpeg' | 'webp';

/** File extensions (lower case) and their format. */
export const GRID_EXTENSIONS: Readonly<Record<string, GridFormat>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

/** The format a file name's extension asks for, or undefined when it names none of GRID_EXTENSIONS. */
export function gridFormatOf(filePath: string): GridFormat | undefined {
  return GRID_EXTENSIONS[path.extname(filePath).toLowerCase()];
}

/**
 * Encodes `grid` (its row labels drawn in) as `format` and writes it to `filePath` atomically (the
 * directory must exist). PNG and WebP are lossless; JPEG at quality 95 without chroma subsampling,
 * so that small digits keep their edges.
 */
export async function writeGridImage(filePath: string, grid: Grid, format: GridFormat): Promise<void> {
  const { pixels, width, height, channels } = grid;
  const bytes = width * height * channels;
  invariant(pixels.length === bytes, `grid holds ${pixels.length} bytes, ${width}×${height}×${channels} needs ${bytes}`);
  const overlay = await renderLabels(grid.labels, width, height, grid.background);
  let image = sharp(pixels, { raw: { width, height, channels } });
  if (overlay !== undefined) {
    // Composited in a pass of its own: compositing adds an alpha channel the grid does not have.
    const { data, info } = await image.composite([{ input: overlay, raw: { width, height, channels: 4 } }]).raw().toBuffer({ resolveWithObject: true });
    image = sharp(data, { raw: { width, height, channels: info.channels } }).removeAlpha();
  }
  // sharp would otherwise widen one-channel input to sRGB: keep grey grids grey (and a third the size).
  if (channels === 1) image = image.toColourspace('b-w');
  const encoded = format === 'png' ? image.png() : format === 'jpeg' ? image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }) : image.webp({ lossless: true });
  await writeFileAtomic(filePath, await encoded.toBuffer());
}

/** Encodes `grid` as PNG and writes it to `filePath` atomically (the directory must exist). */
export async function writeGridPng(filePath: string, grid: Grid): Promise<void> {
  await writeGridImage(filePath, grid, 'png');
}
