/**
 * What an evaluation loads once and reuses for every generator it scores: the domain classifier
 * (the network shipped for the dataset, or trained and cached), the feature extractor (the classifier, or a model on disk), and the
 * reference set of real features (computed or from the cache). `s3gan eval` prepares one for one
 * generator; the GAN loop's cheap evaluation keeps one for the whole training.
 */
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import type { ProgressStream } from '../util/progress.js';
import { formatClassifierAccuracy, loadOrTrainDomainClassifier, type DomainClassifier } from './domain-classifier-cache.js';
import { domainClassifierExtractor, type FeatureExtractor } from './extractor.js';
import type { InputGeometry } from './images.js';
import { CLASSIFIER_METRICS, REAL_FEATURE_METRICS, type EvalMetric } from './metric-names.js';
import { loadModelExtractor } from './model-extractor.js';
import { hasShippedNetwork, loadShippedNetwork, toShippedGeometry, type ShippedNetworkDataset } from './shipped-network.js';
import { loadOrComputeReference, type EvalSplit, type ReferenceSet } from './reference.js';

export interface EvaluatorRequest {
  readonly dataset: Dataset;
  /** The data (imageSize, fit, cacheDir) and eval (split, extractor, classifier) sections. */
  readonly config: Pick<Config, 'data' | 'eval'>;
  /** Metrics the evaluator must be able to compute. */
  readonly metrics: readonly EvalMetric[];
  /** Real images of the reference set: n_real = min(this, images in the split). */
  readonly realSamples: number;
  /**
   * Whether to compute (or load) the reference set of eval.split (default true); false for callers
   * that read their own real images through the evaluator's extractor (s3gan fid).
   */
  readonly withReference?: boolean;
  readonly progressStream?: ProgressStream;
  /** Lines for the user (cache hits, training, accuracy). */
  readonly log?: (line: string) => void;
  /** Called after each update of the domain classifier when it has to be trained (tests count them). */
  readonly onClassifierStep?: (step: number, loss: number) => void;
}

export interface Evaluator {
  readonly dataset: Dataset;
  readonly split: EvalSplit;
  readonly geometry: InputGeometry;
  /** Classes of the dataset (the requested classes of a conditional generator). */
  readonly numClasses: number;
  readonly metrics: readonly EvalMetric[];
  /** eval.classifierWidth / classifierEpochs (the CAS classifier's). */
  readonly classifierWidth: number;
  readonly classifierEpochs: number;
  /** The domain classifier and its extractor (features and logits), when a metric needs it. */
  readonly classifier: { readonly model: DomainClassifier; readonly extractor: FeatureExtractor } | undefined;
  /** The extractor of the real-feature metrics (the classifier's, or a model on disk). */
  readonly features: FeatureExtractor | undefined;
  /** Real features, labels and statistics, when a real-feature metric is asked for. */
  readonly reference: ReferenceSet | undefined;
  /** Releases the models loaded. */
  dispose(): void;
}

/** Loads (or trains and caches) everything `request.metrics` need. */
export async function prepareEvaluation(request: EvaluatorRequest): Promise<Evaluator> {
  const { dataset, config, metrics } = request;
  const geometry: InputGeometry = { imageSize: config.data.imageSize, fit: config.data.fit };
  const needsReal = metrics.some((m) => REAL_FEATURE_METRICS.has(m));
  const external = config.eval.extractorPath;
  const needsClassifier = metrics.some((m) => CLASSIFIER_METRICS.has(m)) || (needsReal && external === undefined);

  let classifier: Evaluator['classifier'];
  let model: FeatureExtractor | undefined;
  try {
    // 1. The model on disk first: a wrong path fails before minutes of classifier training.
    if (needsReal && external !== undefined) {
      model = await loadModelExtractor({
        path: external,
        layer: config.eval.extractorLayer,
        inputSize: config.eval.extractorInputSize,
        inputRange: config.eval.extractorInputRange,
      });
      request.log?.(`extractor: ${model.description.name} (${model.description.featureDim} features, ${model.description.inputSize}×${model.description.inputSize} input in ${model.description.inputRange})`);
    }
    // 2. The domain classifier (IS, label accuracy, and the default extractor).
    if (needsClassifier) {
      if (external === undefined && needsReal && dataset.train.shape[1] !== 28) {
        request.log?.(
          `note: features of the ${dataset.name} domain classifier; InceptionV3 pool3 is the convention for natural images (eval.extractorPath, eval.extractorLayer)`,
        );
      }
      const shipped = config.eval.network === 'auto' && hasShippedNetwork(dataset.name);
      const trained = shipped ? await loadShippedNetwork(dataset.name as ShippedNetworkDataset) : await loadOrTrainDomainClassifier({
        dataset,
        geometry,
        cacheDir: config.data.cacheDir,
        width: config.eval.classifierWidth,
        epochs: config.eval.classifierEpochs,
        seed: config.eval.classifierSeed,
        onStep: request.onClassifierStep,
        progressStream: request.progressStream,
        log: request.log,
      });
      if (shipped) request.log?.(`evaluation network: shipped ${dataset.name} network, sha256 ${trained.info.weightsSha256?.slice(0, 16)}… (${formatClassifierAccuracy(trained.info)})`);
      classifier = { model: trained, extractor: domainClassifierExtractor(trained, shipped ? (images) => toShippedGeometry(images, geometry) : undefined) };
    }
    const features = needsReal ? (model ?? classifier?.extractor) : undefined;
    // 3. The real features and their statistics.
    const reference =
      features === undefined || request.withReference === false
        ? undefined
        : await loadOrComputeReference({
            dataset,
            split: config.eval.split,
            count: request.realSamples,
            extractor: features,
            geometry,
            cacheDir: config.data.cacheDir,
            progressStream: request.progressStream,
            log: request.log,
          });
    return {
      dataset,
      split: config.eval.split,
      geometry,
      numClasses: dataset.classNames.length,
      metrics: [...metrics],
      classifierWidth: config.eval.classifierWidth,
      classifierEpochs: config.eval.classifierEpochs,
      classifier,
      features,
      reference,
      dispose() {
        model?.dispose();
        classifier?.extractor.dispose();
        classifier?.model.model.dispose();
      },
    };
  } catch (error) {
    model?.dispose();
    classifier?.model.model.dispose();
    throw error;
  }
}
