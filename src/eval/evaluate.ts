/**
 * evaluateGenerator: one generator scored by a prepared Evaluator (evaluator.ts).
 *
 *   1. n_fake images are generated (seeded, classes in turn) and read by the extractors in chunks;
 *      only their feature rows and logits are kept (and their pixels when CAS is asked for).
 *   2. Each metric compares those rows with the reference set (docs/ALGORITHMS.md § Metrics): FID
 *      (Heusel et al. 2017), KID (Bińkowski et al. 2018), IS (Salimans et al. 2016), precision/recall
 *      (Kynkäänniemi et al. 2019, k = 3), density/coverage (Naeem et al. 2020, k = 5), intra-class
 *      FID (Miyato & Koyama 2018), label accuracy (the domain classifier agrees with the requested
 *      class), CAS (Ravuri & Vinyals 2019).
 *
 * Leaves the tensor count as it found it: every chunk is released before the next.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureMatrix } from '../metrics/feature-matrix.js';
import { fidFromStats } from '../metrics/fid.js';
import { inceptionScoreFromLogits, DEFAULT_IS_SPLITS } from '../metrics/inception-score.js';
import { classGaussianStats, intraFidFromStats } from '../metrics/intra-fid.js';
import { kid, type KidResult } from '../metrics/kid.js';
import { manifoldMetrics, DEFAULT_DENSITY_COVERAGE_K, DEFAULT_PRECISION_RECALL_K } from '../metrics/precision-recall.js';
import { gaussianStats } from '../metrics/stats.js';
import { UserError, invariant, userCheck } from '../util/errors.js';
import { createProgress, type ProgressStream } from '../util/progress.js';
import type { SkippedMetric } from './applicability.js';
import { classificationAccuracyScore } from './cas.js';
import type { Evaluator } from './evaluator.js';
import type { FeatureExtractor } from './extractor.js';
import { balancedClasses, GeneratedImages, generatorShape } from './generate.js';
import { CLASSIFIER_METRICS, CONDITIONAL_METRICS, REAL_FEATURE_METRICS, type EvalMetric } from './metric-names.js';
import { readImages, type Readout } from './readout.js';
import { evaluationSplit } from './reference.js';
import type { EvalResults, GeneratorKind, MetricContext, MetricResult } from './results.js';

export interface EvaluateOptions {
  /** Generated images n_fake (at least 2). */
  readonly samples: number;
  /** Metrics to compute (default: all the evaluator was prepared for); each must be among those. */
  readonly metrics?: readonly EvalMetric[];
  /** Seed of the noise (and of KID's subsets and the CAS classifier). */
  readonly seed: number;
  /** Which weights `generator` holds (recorded only). Default 'generator-ema'. */
  readonly generatorKind?: GeneratorKind;
  /** Training step of the weights (recorded only). */
  readonly step?: number | null;
  readonly progressStream?: ProgressStream;
  /** Metrics left out because they cannot apply (applicability.ts), recorded with the results. */
  readonly skipped?: readonly SkippedMetric[];
}

/** Row-wise argmax of logits [n, classes]. */
function argmaxRows(logits: FeatureMatrix): Int32Array {
  const out = new Int32Array(logits.rows);
  for (let i = 0; i < logits.rows; i++) {
    let best = 0;
    for (let j = 1; j < logits.cols; j++) if (logits.data[i * logits.cols + j] > logits.data[i * logits.cols + best]) best = j;
    out[i] = best;
  }
  return out;
}

/**
 * Label accuracy overall and per requested class: the fraction of images the domain classifier
 * assigns to the class they were generated for. A class no image was generated for gets null.
 */
function labelAccuracy(predicted: Int32Array, classes: Int32Array, numClasses: number): { overall: number; perClass: (number | null)[]; perClassImages: number[] } {
  const correct = new Array<number>(numClasses).fill(0);
  const images = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < classes.length; i++) {
    images[classes[i]] += 1;
    if (predicted[i] === classes[i]) correct[classes[i]] += 1;
  }
  const total = correct.reduce((sum, c) => sum + c, 0);
  return { overall: total / classes.length, perClass: correct.map((c, k) => (images[k] === 0 ? null : c / images[k])), perClassImages: images };
}

/** KID as a result record: no std when the subsets gave no spread, and the warning that says why. */
export function kidResult(r: KidResult, at: MetricContext): MetricResult {
  const details = { subsets: r.subsets, subsetSize: r.subsetSize, ...(r.warning === undefined ? {} : { warning: r.warning }) };
  return { metric: 'kid', value: r.mean, ...(r.std === null ? {} : { std: r.std }), ...at, details };
}

/** Checks the generator against the evaluator (image geometry, labels) before anything runs. */
export function checkGenerator(evaluator: Evaluator, generator: tf.LayersModel, metrics: readonly EvalMetric[]): { conditional: boolean } {
  const shape = generatorShape(generator);
  const size = evaluator.geometry.imageSize;
  const channels = evaluator.dataset.train.shape[3];
  userCheck(
    shape.imageSize === size && shape.channels === channels,
    () => `the generator makes ${shape.imageSize}×${shape.imageSize}×${shape.channels} images but data.imageSize and ${evaluator.dataset.name} give ${size}×${size}×${channels}: evaluate with the run's config`,
  );
  const conditionalOnly = metrics.filter((m) => CONDITIONAL_METRICS.has(m));
  if (!shape.conditional && conditionalOnly.length > 0) {
    throw new UserError(`metric${conditionalOnly.length > 1 ? 's' : ''} ${conditionalOnly.join(', ')} need a conditional generator; this one is unconditional`);
  }
  if (metrics.includes('cas') && evaluator.dataset.test === undefined) {
    throw new UserError(`metric cas scores on the real test split, and dataset ${evaluator.dataset.name} has none`);
  }
  return { conditional: shape.conditional };
}

/** Scores `generator` on `options.samples` images; see the top of this file. */
export async function evaluateGenerator(evaluator: Evaluator, generator: tf.LayersModel, options: EvaluateOptions): Promise<EvalResults> {
  const started = Date.now();
  const metrics = options.metrics ?? evaluator.metrics;
  const missing = metrics.filter((m) => !evaluator.metrics.includes(m));
  invariant(missing.length === 0, `evaluator prepared without metric(s) ${missing.join(', ')}`);
  userCheck(Number.isInteger(options.samples) && options.samples >= 2, () => `eval.samples must be at least 2, got ${options.samples}`);
  const { conditional } = checkGenerator(evaluator, generator, metrics);
  const n = options.samples;
  const generatorKind = options.generatorKind ?? 'generator-ema';
  const step = options.step ?? null;
  const context = (extractor: string, nReal: number, split = evaluator.split): MetricContext => ({
    n_real: nReal,
    n_fake: n,
    extractor,
    split,
    seed: options.seed,
    generator: generatorKind,
    step,
  });

  // 1. Generate and read the images, chunk by chunk.
  const needsFeatures = metrics.some((m) => REAL_FEATURE_METRICS.has(m));
  const needsLogits = metrics.some((m) => CLASSIFIER_METRICS.has(m));
  const extractors: FeatureExtractor[] = [];
  if (needsFeatures) {
    invariant(evaluator.features !== undefined && evaluator.reference !== undefined, 'evaluator has no feature extractor');
    extractors.push(evaluator.features);
  }
  if (needsLogits && !extractors.includes(evaluator.classifier?.extractor as FeatureExtractor)) {
    invariant(evaluator.classifier !== undefined, 'evaluator has no domain classifier');
    extractors.push(evaluator.classifier.extractor);
  }
  const classes = balancedClasses(n, conditional ? evaluator.numClasses : 0);
  const images = new GeneratedImages(generator, classes, options.seed);
  const size = evaluator.geometry.imageSize;
  const channels = evaluator.dataset.train.shape[3];
  const pixels = metrics.includes('cas') ? new Uint8Array(n * size * size * channels) : undefined;
  const progress = createProgress({ label: 'generate + features', total: n, unit: 'images', stream: options.progressStream });
  const generateStarted = Date.now();
  let readouts: Readout[];
  try {
    readouts = await readImages(n, (start, count) => images.next(start, count, pixels), extractors, (done) => progress.update(done));
  } finally {
    progress.stop();
  }
  const generateSeconds = (Date.now() - generateStarted) / 1000;
  const readoutOf = (extractor: FeatureExtractor | undefined): Readout => readouts[extractors.indexOf(extractor as FeatureExtractor)];

  // 2. The metrics, in the order asked.
  const metricsStarted = Date.now();
  const results: MetricResult[] = [];
  let casSeconds = 0;
  for (const metric of metrics) {
    if (metric === 'fid' || metric === 'kid' || metric === 'precision-recall' || metric === 'density-coverage' || metric === 'intra-fid') {
      const features = evaluator.features as FeatureExtractor;
      const reference = evaluator.reference;
      invariant(reference !== undefined, 'evaluator has no reference set');
      const fake = readoutOf(features).features;
      const at = context(features.description.name, reference.count);
      if (metric === 'fid') {
        results.push({ metric: 'fid', value: fidFromStats(reference.stats, gaussianStats(fake, 'generated features')), ...at });
      } else if (metric === 'kid') {
        const r = kid(reference.features, fake, { seed: options.seed });
        results.push(kidResult(r, at));
      } else if (metric === 'intra-fid') {
        const realStats = classGaussianStats(reference.features, reference.labels, evaluator.numClasses, 'real');
        const fakeStats = classGaussianStats(fake, classes, evaluator.numClasses, 'generated');
        const r = intraFidFromStats(realStats, fakeStats);
        results.push({ metric: 'intra-fid', value: r.mean, ...at, details: { perClass: r.perClass } });
      } else {
        const both = metrics.includes('precision-recall') && metrics.includes('density-coverage');
        // One shared distance pass when both pairs are asked for; computed at the first of them.
        if (both && results.some((m) => m.metric === 'precision' || m.metric === 'density')) continue;
        const r = manifoldMetrics(reference.features, fake, { precisionRecallK: DEFAULT_PRECISION_RECALL_K, densityCoverageK: DEFAULT_DENSITY_COVERAGE_K });
        for (const pair of both ? ['precision-recall', 'density-coverage'] : [metric]) {
          if (pair === 'precision-recall') {
            results.push({ metric: 'precision', value: r.precisionRecall.precision, ...at, details: { k: r.precisionRecall.k } });
            results.push({ metric: 'recall', value: r.precisionRecall.recall, ...at, details: { k: r.precisionRecall.k } });
          } else {
            results.push({ metric: 'density', value: r.densityCoverage.density, ...at, details: { k: r.densityCoverage.k } });
            results.push({ metric: 'coverage', value: r.densityCoverage.coverage, ...at, details: { k: r.densityCoverage.k } });
          }
        }
      }
    } else if (metric === 'is' || metric === 'label-accuracy') {
      const classifier = evaluator.classifier;
      invariant(classifier !== undefined, 'evaluator has no domain classifier');
      const logits = readoutOf(classifier.extractor).logits;
      invariant(logits !== undefined, 'the domain classifier gave no logits');
      const at = context(classifier.extractor.description.name, 0);
      if (metric === 'is') {
        const r = inceptionScoreFromLogits(logits, { splits: Math.min(DEFAULT_IS_SPLITS, n) });
        results.push({ metric: 'is', value: r.mean, std: r.std, ...at, details: { splits: r.splits } });
      } else {
        const r = labelAccuracy(argmaxRows(logits), classes, evaluator.numClasses);
        results.push({ metric: 'label-accuracy', value: r.overall, ...at, details: { perClass: r.perClass, perClassImages: r.perClassImages } });
      }
    } else {
      invariant(metric === 'cas', `unknown metric ${String(metric)}`);
      invariant(pixels !== undefined, 'CAS needs the generated pixels');
      const test = evaluationSplit(evaluator.dataset, 'test');
      const casStarted = Date.now();
      const r = await classificationAccuracyScore({
        generated: { images: pixels, shape: [n, size, size, channels], labels: classes },
        test,
        numClasses: evaluator.numClasses,
        geometry: evaluator.geometry,
        width: evaluator.classifierWidth,
        epochs: evaluator.classifierEpochs,
        seed: options.seed,
        progressStream: options.progressStream,
      });
      casSeconds = (Date.now() - casStarted) / 1000;
      results.push({ metric: 'cas', value: r.accuracy, ...context('cas-classifier', r.testImages, 'test'), details: { trainSeconds: r.trainSeconds } });
    }
  }
  const metricSeconds = (Date.now() - metricsStarted) / 1000 - casSeconds;
  return {
    version: 1,
    dataset: evaluator.dataset.name,
    split: evaluator.split,
    seed: options.seed,
    generator: generatorKind,
    step,
    n_real: evaluator.reference?.count ?? 0,
    n_fake: n,
    extractor: evaluator.features?.description ?? null,
    classifier: evaluator.classifier?.model.info ?? null,
    throughput: { images: n, seconds: generateSeconds, imagesPerSecond: n / Math.max(generateSeconds, 1e-3) },
    seconds: { generateAndExtract: generateSeconds, metrics: metricSeconds, cas: casSeconds, total: (Date.now() - started) / 1000 },
    backend: tf.getBackend(),
    createdAt: new Date().toISOString(),
    metrics: results,
    classNames: [...evaluator.dataset.classNames],
    skipped: [...(options.skipped ?? [])],
  };
}
