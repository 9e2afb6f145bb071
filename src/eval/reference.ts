/**
 * The real side of the metrics: features (and labels) of n real images of the evaluation split and
 * their Gaussian statistics, computed once per dataset, split, n and extractor and cached
 * (cache-paths.ts), so that every run and every step compares against the same numbers.
 *
 * The n images are a fixed random subset of the split (the whole split when n reaches its size):
 * the subset seed is a constant, not the run's seed, so every run of a dataset is measured against
 * the same real images. Features are stored as the float32 the extractor computed, so a cached
 * reference gives bit-identical metrics to a fresh one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeDirAtomic } from '../artifacts/atomic-dir.js';
import type { Dataset } from '../data/types.js';
import { featureMatrix, type FeatureMatrix } from '../metrics/feature-matrix.js';
import { gaussianStats, gaussianStatsFromJson, gaussianStatsToJson, type GaussianStats } from '../metrics/stats.js';
import { UserError, errorMessage } from '../util/errors.js';
import { createProgress, type ProgressStream } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import { cacheEntryDir, contentFingerprint, readJsonIfValid, sameKey } from './cache-paths.js';
import type { FeatureExtractor } from './extractor.js';
import { imageBatch, imageCount, labelsOf, type InputGeometry, type LabelledImages } from './images.js';
import { readImages } from './readout.js';

/** Seed of the real subset: fixed, so that all runs share their real images (see above). */
export const REFERENCE_SUBSET_SEED = 0;
/** Rng stream of that draw. */
const REFERENCE_SUBSET_STREAM = 14;
const INFO_FILE = 'reference.json';
const FEATURES_FILE = 'features.f32';
const LABELS_FILE = 'labels.i32';

export type EvalSplit = 'test' | 'train';

export interface ReferenceSet {
  readonly split: EvalSplit;
  /** Real images n (the rows of features). */
  readonly count: number;
  /** [count, featureDim]. */
  readonly features: FeatureMatrix;
  /** [count] labels of those images (−1 where unlabelled). */
  readonly labels: Int32Array;
  /** Mean and covariance of the features. */
  readonly stats: GaussianStats;
  /** Whether it came from the cache, and its entry. */
  readonly cached: boolean;
  readonly dir: string;
}

export interface ReferenceRequest {
  readonly dataset: Dataset;
  readonly split: EvalSplit;
  /** Real images wanted; n = min(this, split size). */
  readonly count: number;
  readonly extractor: FeatureExtractor;
  readonly geometry: InputGeometry;
  /** data.cacheDir. */
  readonly cacheDir: string;
  readonly progressStream?: ProgressStream;
  readonly log?: (line: string) => void;
}

/** The images of a split the evaluation compares with. */
export function evaluationSplit(dataset: Dataset, split: EvalSplit): LabelledImages {
  if (split === 'train') return dataset.train;
  if (dataset.test === undefined) {
    // Only an image folder can lack one, when data.testFraction holds out no image.
    const remedy = dataset.name === 'image-folder' ? 'add a test/ subfolder or set data.testFraction > 0, or set eval.split=train' : 'set eval.split=train';
    throw new UserError(`eval.split is 'test' but dataset ${dataset.name} has no test split: ${remedy}`);
  }
  return dataset.test;
}

/** The `count` indices of the fixed real subset of a split of `size` images, ascending. */
export function referenceIndices(size: number, count: number): Int32Array {
  if (count >= size) return Int32Array.from({ length: size }, (_, i) => i);
  return new Rng(REFERENCE_SUBSET_SEED, REFERENCE_SUBSET_STREAM).permutation(size).subarray(0, count).sort();
}

/** Reads a cache entry, or undefined when it is missing, for another key, or damaged. */
async function readEntry(dir: string, key: unknown, split: EvalSplit): Promise<ReferenceSet | undefined> {
  const info = (await readJsonIfValid(path.join(dir, INFO_FILE))) as { key?: unknown; count?: number; dim?: number; stats?: unknown } | undefined;
  if (info === undefined || !sameKey(info.key, key) || typeof info.count !== 'number' || typeof info.dim !== 'number') return undefined;
  try {
    const featureBytes = await readFile(path.join(dir, FEATURES_FILE));
    const labelBytes = await readFile(path.join(dir, LABELS_FILE));
    if (featureBytes.length !== info.count * info.dim * 4 || labelBytes.length !== info.count * 4) return undefined;
    const features32 = new Float32Array(featureBytes.buffer.slice(featureBytes.byteOffset, featureBytes.byteOffset + featureBytes.length));
    const labels = new Int32Array(labelBytes.buffer.slice(labelBytes.byteOffset, labelBytes.byteOffset + labelBytes.length));
    const stats = gaussianStatsFromJson(info.stats, path.join(dir, INFO_FILE));
    return { split, count: info.count, features: featureMatrix(Float64Array.from(features32), info.count, info.dim), labels, stats, cached: true, dir };
  } catch (error) {
    if (error instanceof UserError) return undefined;
    throw new Error(`reading cached reference ${dir}: ${errorMessage(error)}`);
  }
}

/** The reference set from the cache, or computed now with `extractor` (and cached). */
export async function loadOrComputeReference(request: ReferenceRequest): Promise<ReferenceSet> {
  const { dataset, split, extractor, geometry } = request;
  const images = evaluationSplit(dataset, split);
  const indices = referenceIndices(imageCount(images), request.count);
  const key = {
    dataset: dataset.name,
    split,
    content: contentFingerprint(images),
    count: indices.length,
    subsetSeed: REFERENCE_SUBSET_SEED,
    extractor: extractor.description.id,
    imageSize: geometry.imageSize,
    fit: geometry.fit,
  };
  const dir = cacheEntryDir(request.cacheDir, 'reference', `${dataset.name}-${split}-${indices.length}`, key);

  // 1. A complete entry for this key.
  const cached = await readEntry(dir, key, split);
  if (cached !== undefined) {
    request.log?.(`reference: cached ${split} features of ${cached.count} images (${dir})`);
    return cached;
  }

  // 2. Otherwise read the real images through the extractor, chunk by chunk.
  const progress = createProgress({ label: `reference features (${split})`, total: indices.length, unit: 'images', stream: request.progressStream });
  let features: FeatureMatrix;
  try {
    [{ features }] = await readImages(indices.length, (start, n) => imageBatch(images, indices.subarray(start, start + n), geometry), [extractor], (done) => progress.update(done));
  } finally {
    progress.stop();
  }
  const labels = labelsOf(images, indices);
  const stats = gaussianStats(features, `reference features (${split})`);

  // 3. Cache it; the entry directory appears whole or not at all.
  await writeDirAtomic(dir, async (temp) => {
    await writeFile(path.join(temp, FEATURES_FILE), new Uint8Array(Float32Array.from(features.data).buffer));
    await writeFile(path.join(temp, LABELS_FILE), new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
    await writeFile(
      path.join(temp, INFO_FILE),
      // Unindented: a 2048-dimensional covariance would be four million lines.
      JSON.stringify({ key, count: features.rows, dim: features.cols, extractor: extractor.description.name, stats: gaussianStatsToJson(stats), createdAt: new Date().toISOString() }),
    );
  });
  request.log?.(`reference: ${split} features of ${features.rows} images cached in ${dir}`);
  return { split, count: features.rows, features, labels, stats, cached: false, dir };
}
