/**
 * The in-memory form every dataset reader returns: uint8 images in NHWC order, one label and one
 * stable id per image. Ids survive reordering and are what artifacts on disk (labelled subsets,
 * pseudo-labels) are joined by.
 */

/** Label value of an image whose class is not known (never class 0). */
export const UNLABELLED = -1;

export interface ImageSplit {
  /** Pixel values 0..255, NHWC: [count, height, width, channels], row-major. */
  readonly images: Uint8Array;
  /** [count, height, width, channels]. */
  readonly shape: readonly [number, number, number, number];
  /** Class index per image in 0..numClasses-1, or UNLABELLED (-1). Length = count. */
  readonly labels: Int32Array;
  /** Stable identifier per image, unique within the dataset (e.g. 'train/00042', 'cats/a.png'). */
  readonly ids: readonly string[];
}

export interface Dataset {
  /** Registry name, e.g. 'mnist'. */
  readonly name: string;
  /** Class names; index = label value. */
  readonly classNames: readonly string[];
  readonly train: ImageSplit;
  /** Held-out split, when the dataset has one (image folders may not). */
  readonly test?: ImageSplit;
  /** Where it was read from (files or directory), for messages and manifests. */
  readonly source: string;
  /** Images skipped as corrupt while loading (only with skipCorrupt), as file paths. */
  readonly skipped?: readonly string[];
}

/** Number of images in a split. */
export function splitSize(split: ImageSplit): number {
  return split.shape[0];
}

/** Bytes per image of a split. */
export function imageBytes(split: ImageSplit): number {
  return split.shape[1] * split.shape[2] * split.shape[3];
}
