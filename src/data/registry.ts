/**
 * The one entry point for loading a dataset: picks the reader by name, checks the options that
 * reader needs, and goes through the decode cache.
 */
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { cifar10SourceFiles, readCifar10 } from './cifar10.js';
import { loadThroughCache, type CacheSpec, type CacheStatus } from './decode-cache.js';
import { defaultFashionMnistDir, fashionMnistSourceFiles, readFashionMnist } from './fashion-mnist.js';
import { imageFolderSourceFiles, readImageFolder } from './image-folder.js';
import { DEFAULT_TEST_FRACTION } from './image-folder-split.js';
import { defaultMnistDir, mnistSourceFiles, readMnist } from './mnist.js';
import { DATASET_NAMES, type DatasetName, type DatasetOptions, type ProgressFn } from './options.js';
import type { Dataset } from './types.js';

export { DATASET_NAMES };

export interface LoadHooks {
  /** Progress of decoding (not called when the cache is used). */
  readonly onProgress?: ProgressFn;
  /** What the decode cache held: 'hit' means nothing was decoded. `dir` is the cache directory. */
  readonly onCache?: (status: CacheStatus, dir: string) => void;
}

/** Checks a dataset name from the command line or a config file. */
export function parseDatasetName(name: string): DatasetName {
  if ((DATASET_NAMES as readonly string[]).includes(name)) return name as DatasetName;
  throw new UserError(`unknown dataset '${name}'${didYouMean(name, DATASET_NAMES)}; known: ${DATASET_NAMES.join(', ')}`);
}

/** Loads the dataset `options` describe, from the decode cache in options.cacheDir when valid. */
export async function loadDataset(options: DatasetOptions, hooks: LoadHooks = {}): Promise<Dataset> {
  const source = await describeSource(options);
  return loadThroughCache(source.cache, () => source.read(hooks.onProgress), hooks.onCache);
}

/** Loads the dataset straight from its sources, bypassing the decode cache. */
export async function readDatasetUncached(options: DatasetOptions, onProgress?: ProgressFn): Promise<Dataset> {
  return (await describeSource(options)).read(onProgress);
}

interface Source {
  readonly cache: CacheSpec;
  readonly read: (onProgress?: ProgressFn) => Promise<Dataset>;
}

/** The files a dataset comes from, the options that shape its decoding, and how to read it. */
async function describeSource(options: DatasetOptions): Promise<Source> {
  const name = parseDatasetName(options.name);
  const cacheDir = path.resolve(options.cacheDir);
  if (name !== 'image-folder') rejectImageFolderOptions(name, options);
  switch (name) {
    case 'mnist': {
      const root = path.resolve(options.path ?? defaultMnistDir());
      return {
        cache: { cacheDir, key: { reader: name, path: root }, root, files: mnistSourceFiles(root) },
        read: (onProgress) => readMnist(root, onProgress),
      };
    }
    case 'fashion-mnist': {
      const root = path.resolve(options.path ?? defaultFashionMnistDir());
      return {
        cache: { cacheDir, key: { reader: name, path: root }, root, files: fashionMnistSourceFiles(root) },
        read: (onProgress) => readFashionMnist(root, onProgress),
      };
    }
    case 'cifar10': {
      const root = path.resolve(requirePath(options, 'the cifar-10-batches-bin/ directory'));
      return {
        cache: { cacheDir, key: { reader: name, path: root }, root, files: cifar10SourceFiles(root) },
        read: (onProgress) => readCifar10(root, onProgress),
      };
    }
    case 'image-folder': {
      const root = path.resolve(requirePath(options, 'the image folder'));
      const labelFile = options.labelFile === undefined ? undefined : path.resolve(options.labelFile);
      const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
      const folderOptions = { ...options, path: root, labelFile, testFraction };
      return {
        cache: {
          cacheDir,
          key: {
            reader: name,
            path: root,
            imageSize: options.imageSize,
            // Inferred channels follow from the images, which the fingerprint covers.
            channels: options.channels ?? 'inferred',
            testFraction,
            labelFile: labelFile ?? null,
            classNames: options.classNames ?? null,
            skipCorrupt: options.skipCorrupt,
          },
          root,
          files: await imageFolderSourceFiles(root, labelFile),
        },
        read: (onProgress) => readImageFolder(folderOptions, onProgress),
      };
    }
  }
}

function requirePath(options: DatasetOptions, what: string): string {
  if (options.path === undefined || options.path === '') {
    throw new UserError(`data.path is required for dataset '${options.name}': ${what}`);
  }
  return options.path;
}

/** Options only image folders use would be ignored by the fixed datasets: refuse them instead. */
function rejectImageFolderOptions(name: DatasetName, options: DatasetOptions): void {
  if (options.labelFile !== undefined) {
    throw new UserError(`data.labelFile applies only to dataset 'image-folder', not '${name}'`);
  }
  if (options.classNames !== undefined && options.classNames.length > 0) {
    throw new UserError(`data.classNames applies only to dataset 'image-folder', not '${name}' (its classes are fixed)`);
  }
  if (options.testFraction !== undefined) {
    throw new UserError(`data.testFraction applies only to dataset 'image-folder', not '${name}' (its test split is fixed)`);
  }
}
