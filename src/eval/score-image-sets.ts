/**
 * Two image sets scored against each other with the evaluation network (`s3gan fid A B`): A is the
 * set under test (e.g. generated samples), B the reference (e.g. a real split). Each side is a folder or a dataset split (image-sets.ts);
 * both are read through the extractor prepareEvaluation picks for the dataset (or eval.extractorPath),
 * a split through the cached reference features `s3gan eval` uses.
 *
 * FID (Heusel et al. 2017) and KID (Bińkowski et al. 2018) are symmetric; precision is the fraction
 * of A inside B's manifold and recall that of B inside A's (Kynkäänniemi et al. 2019, k = 3), and
 * density/coverage likewise with A as the generated side (Naeem et al. 2020, k = 5).
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import type { FeatureMatrix } from '../metrics/feature-matrix.js';
import { fidFromStats } from '../metrics/fid.js';
import { kid } from '../metrics/kid.js';
import { DEFAULT_DENSITY_COVERAGE_K, DEFAULT_PRECISION_RECALL_K, manifoldMetrics } from '../metrics/precision-recall.js';
import { gaussianStats } from '../metrics/stats.js';
import { invariant, UserError } from '../util/errors.js';
import { createProgress, type ProgressStream } from '../util/progress.js';
import { prepareEvaluation } from './evaluator.js';
import type { ExtractorDescription, FeatureExtractor } from './extractor.js';
import { imageBatch, indexRange, type InputGeometry, type LabelledImages } from './images.js';
import { readImageSet, type ImageSetSpec } from './image-sets.js';
import { parseMetricList, type EvalMetric } from './metric-names.js';
import { readImages } from './readout.js';
import { loadOrComputeReference } from './reference.js';
import type { MetricResult } from './results.js';

/** The metrics that compare two image sets (those needing no generator, classes or classifier logits). */
export const IMAGE_SET_METRICS = ['fid', 'kid', 'precision-recall', 'density-coverage'] as const satisfies readonly EvalMetric[];
export type ImageSetMetric = (typeof IMAGE_SET_METRICS)[number];
export const DEFAULT_IMAGE_SET_METRICS: readonly ImageSetMetric[] = ['fid', 'kid', 'precision-recall'];

/** Parses a --metrics list for image sets; a UserError naming `flag` for any other metric. */
export function parseImageSetMetrics(text: string, flag: string): ImageSetMetric[] {
  const metrics = text.trim() === 'all' ? [...IMAGE_SET_METRICS] : parseMetricList(text, flag);
  const other = metrics.filter((m) => !(IMAGE_SET_METRICS as readonly string[]).includes(m));
  if (other.length > 0) {
    throw new UserError(`${flag}: ${other.join(', ')} need${other.length === 1 ? 's' : ''} a generator; two image sets are scored with ${IMAGE_SET_METRICS.join(', ')} (or all)`);
  }
  return metrics as ImageSetMetric[];
}

/** One number: a metric of results.ts without the generator context. */
export type ImageSetScore = Pick<MetricResult, 'metric' | 'value' | 'std' | 'details'>;

/** What one side was. */
export interface ImageSetInfo {
  /** The argument as given, e.g. './samples' or 'mnist:test'. */
  readonly set: string;
  /** The folder, or the dataset's source and split. */
  readonly source: string;
  readonly images: number;
}

/** The record `s3gan fid --json` prints. */
export interface ImageSetScores {
  readonly version: 1;
  readonly a: ImageSetInfo;
  readonly b: ImageSetInfo;
  /** The dataset whose evaluation network read the images (unless eval.extractorPath is set). */
  readonly dataset: string;
  readonly extractor: ExtractorDescription;
  /** Seed of KID's subsets. */
  readonly seed: number;
  readonly metrics: readonly ImageSetScore[];
  readonly backend: string;
  readonly createdAt: string;
}

/** The metrics between features `a` [n_a, dim] (under test) and `b` [n_b, dim] (reference), in the order asked. */
export function scoreFeatureSets(a: FeatureMatrix, b: FeatureMatrix, metrics: readonly ImageSetMetric[], seed: number): ImageSetScore[] {
  const scores: ImageSetScore[] = [];
  const manifold = metrics.some((m) => m === 'precision-recall' || m === 'density-coverage')
    ? manifoldMetrics(b, a, { precisionRecallK: DEFAULT_PRECISION_RECALL_K, densityCoverageK: DEFAULT_DENSITY_COVERAGE_K })
    : undefined;
  for (const metric of metrics) {
    if (metric === 'fid') {
      scores.push({ metric: 'fid', value: fidFromStats(gaussianStats(b, 'features of B'), gaussianStats(a, 'features of A')) });
    } else if (metric === 'kid') {
      const r = kid(b, a, { seed });
      const details = { subsets: r.subsets, subsetSize: r.subsetSize, ...(r.warning === undefined ? {} : { warning: r.warning }) };
      scores.push({ metric: 'kid', value: r.mean, ...(r.std === null ? {} : { std: r.std }), details });
    } else {
      invariant(manifold !== undefined, 'manifold metrics not computed');
      if (metric === 'precision-recall') {
        const { precision, recall, k } = manifold.precisionRecall;
        scores.push({ metric: 'precision', value: precision, details: { k } }, { metric: 'recall', value: recall, details: { k } });
      } else {
        const { density, coverage, k } = manifold.densityCoverage;
        scores.push({ metric: 'density', value: density, details: { k } }, { metric: 'coverage', value: coverage, details: { k } });
      }
    }
  }
  return scores;
}

export interface ScoreImageSetsRequest {
  /** The set under test and the reference. */
  readonly a: ImageSetSpec;
  readonly b: ImageSetSpec;
  /** The dataset whose evaluation network reads the images; every split side must be of it. */
  readonly dataset: Dataset;
  /** data (imageSize, fit, cacheDir) and eval (samples: images of a split; extractor settings). */
  readonly config: Pick<Config, 'data' | 'eval'>;
  readonly metrics: readonly ImageSetMetric[];
  /** Seed of KID's subsets. */
  readonly seed: number;
  readonly progressStream?: ProgressStream;
  readonly log?: (line: string) => void;
}

/** Features of the images of a folder, read chunk by chunk. */
async function folderFeatures(images: LabelledImages, label: string, extractor: FeatureExtractor, geometry: InputGeometry, stream?: ProgressStream): Promise<FeatureMatrix> {
  const count = images.shape[0];
  const progress = createProgress({ label: `features (${label})`, total: count, unit: 'images', stream });
  try {
    const [{ features }] = await readImages(count, (start, n) => imageBatch(images, indexRange(start, n), geometry), [extractor], (done) => progress.update(done));
    return features;
  } finally {
    progress.stop();
  }
}

/** Scores request.a against request.b; see the top of this file. */
export async function scoreImageSets(request: ScoreImageSetsRequest): Promise<ImageSetScores> {
  const { dataset, config } = request;
  const geometry: InputGeometry = { imageSize: config.data.imageSize, fit: config.data.fit };
  const channels = dataset.train.shape[3] as 1 | 3;
  for (const spec of [request.a, request.b]) {
    invariant(spec.kind === 'folder' || spec.dataset === dataset.name, `image set ${spec.text} is not of dataset ${dataset.name}`);
  }
  // 1. The folders first: an undecodable image fails before any network is trained.
  const folders = await Promise.all([request.a, request.b].map((spec) => (spec.kind === 'folder' ? readImageSet(spec, channels) : undefined)));
  const evaluator = await prepareEvaluation({
    dataset,
    config,
    metrics: request.metrics,
    realSamples: config.eval.samples,
    withReference: false,
    progressStream: request.progressStream,
    log: request.log,
  });
  try {
    const extractor = evaluator.features;
    invariant(extractor !== undefined, 'the evaluator has no feature extractor');
    // 2. Each side through the extractor: a folder read now, a split from the reference cache.
    const sides: { info: ImageSetInfo; features: FeatureMatrix }[] = [];
    for (const [k, spec] of [request.a, request.b].entries()) {
      const folder = folders[k];
      if (spec.kind === 'folder') {
        invariant(folder !== undefined, 'folder not read');
        const features = await folderFeatures(folder, spec.text, extractor, geometry, request.progressStream);
        sides.push({ info: { set: spec.text, source: spec.path, images: features.rows }, features });
      } else {
        const reference = await loadOrComputeReference({
          dataset,
          split: spec.split,
          count: config.eval.samples,
          extractor,
          geometry,
          cacheDir: config.data.cacheDir,
          progressStream: request.progressStream,
          log: request.log,
        });
        sides.push({ info: { set: spec.text, source: `${dataset.source} (${spec.split})`, images: reference.count }, features: reference.features });
      }
    }
    // 3. The numbers.
    const [a, b] = sides;
    return {
      version: 1,
      a: a.info,
      b: b.info,
      dataset: dataset.name,
      extractor: extractor.description,
      seed: request.seed,
      metrics: scoreFeatureSets(a.features, b.features, request.metrics, request.seed),
      backend: tf.getBackend(),
      createdAt: new Date().toISOString(),
    };
  } finally {
    evaluator.dispose();
  }
}
