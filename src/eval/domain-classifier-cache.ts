/**
 * The domain classifier of a dataset, trained once and cached (cache-paths.ts): every labelled
 * training image, the configured width, epochs and seed, the data geometry. Its accuracy is
 * recorded with it and reported by every evaluation that uses it: on the dataset's test split as
 * testAccuracy or, when the dataset has none, on a held-out tenth of the labelled training images
 * (which it then does not train on) as heldOutTrainAccuracy.
 */
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeDirAtomic } from '../artifacts/atomic-dir.js';
import { formatJson } from '../artifacts/atomic-write.js';
import { MODEL_JSON, readModelDir, writeModelDir } from '../artifacts/model-files.js';
import type { Dataset } from '../data/types.js';
import { UserError } from '../util/errors.js';
import type { ProgressStream } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import { cacheEntryDir, contentFingerprint, readJsonIfValid, sameKey } from './cache-paths.js';
import { buildDomainClassifier } from './domain-classifier.js';
import { classifierAccuracy, labelledIndices, trainClassifier } from './classifier-training.js';
import type { InputGeometry, LabelledImages } from './images.js';

/** Images per update of the domain classifier (and of CAS). */
export const CLASSIFIER_BATCH_SIZE = 64;
/** Adam learning rate of the domain classifier (and of CAS): Kingma & Ba's default. */
export const CLASSIFIER_LEARNING_RATE = 1e-3;
/** Fraction of the labelled training images held out for the accuracy when a dataset has no test split. */
const HELD_OUT_FRACTION = 0.1;
/** Rng stream of that hold-out draw. */
const HELD_OUT_STREAM = 13;
const INFO_FILE = 'classifier.json';

/** What an evaluation needs to know of the classifier, recorded in its cache entry and in results. */
export interface DomainClassifierInfo {
  /** Cache key hash: the extractor id of reference statistics built on this classifier. */
  readonly id: string;
  readonly dataset: string;
  readonly width: number;
  readonly epochs: number;
  readonly seed: number;
  readonly imageSize: number;
  /** Accuracy on the dataset's test split, or null when it has none. */
  readonly testAccuracy: number | null;
  /** Without a test split: accuracy on the held-out training images; null otherwise. */
  readonly heldOutTrainAccuracy: number | null;
  /** What the accuracy was measured on, and on how many images. */
  readonly accuracySplit: 'test' | 'held-out train';
  readonly accuracyImages: number;
  readonly trainImages: number;
  /** Wall-clock seconds of its training, and the backend it trained on. */
  readonly trainSeconds: number;
  readonly trainBackend: string;
  /** SHA-256 (hex) of the weights file, recorded for the shipped networks (shipped-network.ts). */
  readonly weightsSha256?: string;
}

export interface DomainClassifier {
  readonly model: tf.LayersModel;
  readonly info: DomainClassifierInfo;
  /** Whether it came from the cache (no training in this call). */
  readonly cached: boolean;
  /** Its cache entry. */
  readonly dir: string;
}

export interface DomainClassifierRequest {
  readonly dataset: Dataset;
  readonly geometry: InputGeometry;
  /** data.cacheDir. */
  readonly cacheDir: string;
  /** eval.classifierWidth, eval.classifierEpochs, eval.classifierSeed. */
  readonly width: number;
  readonly epochs: number;
  readonly seed: number;
  /** Images per update and Adam learning rate (defaults CLASSIFIER_BATCH_SIZE and CLASSIFIER_LEARNING_RATE; tests on a few hundred images take smaller batches and larger steps). */
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Forwarded to the training (tests count updates with it). */
  readonly onStep?: (step: number, loss: number) => void;
  readonly progressStream?: ProgressStream;
  /** Lines for the user (cache hit or training, accuracy). */
  readonly log?: (line: string) => void;
}

/** The accuracy of `info` and what it was measured on, e.g. "test accuracy 98.50 % on 10,000 test images". */
export function formatClassifierAccuracy(info: DomainClassifierInfo): string {
  const images = info.accuracyImages.toLocaleString('en-US');
  return info.testAccuracy !== null
    ? `test accuracy ${(100 * info.testAccuracy).toFixed(2)} % on ${images} test images`
    : `accuracy ${(100 * (info.heldOutTrainAccuracy ?? Number.NaN)).toFixed(2)} % on ${images} held-out training images (the dataset has no test split)`;
}

/**
 * An entry's info; entries written before heldOutTrainAccuracy existed kept every accuracy in
 * testAccuracy, so a held-out figure is moved to its own field rather than retraining.
 */
function cachedInfo(info: Omit<DomainClassifierInfo, 'heldOutTrainAccuracy'> & { readonly heldOutTrainAccuracy?: number | null }): DomainClassifierInfo {
  if (info.heldOutTrainAccuracy !== undefined) return { ...info, heldOutTrainAccuracy: info.heldOutTrainAccuracy };
  const heldOut = info.accuracySplit !== 'test';
  return { ...info, testAccuracy: heldOut ? null : info.testAccuracy, heldOutTrainAccuracy: heldOut ? info.testAccuracy : null };
}

/** Training images, accuracy images and what the accuracy is measured on. */
function dataSplits(dataset: Dataset, seed: number): { train: LabelledImages; trainIndices: Int32Array; score: LabelledImages; scoreIndices: Int32Array; scoreSplit: DomainClassifierInfo['accuracySplit'] } {
  const labelled = labelledIndices(dataset.train);
  if (labelled.length < 2) {
    throw new UserError(`dataset ${dataset.name} has ${labelled.length} labelled training image(s): the domain classifier needs labels; set eval.extractorPath to a model on disk`);
  }
  const testLabelled = dataset.test === undefined ? new Int32Array(0) : labelledIndices(dataset.test);
  if (dataset.test !== undefined && testLabelled.length > 0) {
    return { train: dataset.train, trainIndices: labelled, score: dataset.test, scoreIndices: testLabelled, scoreSplit: 'test' };
  }
  const order = new Rng(seed, HELD_OUT_STREAM).permutation(labelled.length);
  const heldOut = Math.max(1, Math.round(HELD_OUT_FRACTION * labelled.length));
  const pick = (from: number, to: number) => Int32Array.from(order.subarray(from, to), (i) => labelled[i]).sort();
  return { train: dataset.train, trainIndices: pick(heldOut, labelled.length), score: dataset.train, scoreIndices: pick(0, heldOut), scoreSplit: 'held-out train' };
}

/**
 * The dataset's domain classifier from the cache, or trained now (and cached). The caller owns the
 * returned model and disposes it.
 */
export async function loadOrTrainDomainClassifier(request: DomainClassifierRequest): Promise<DomainClassifier> {
  const { dataset, geometry, width, epochs, seed } = request;
  const batchSize = request.batchSize ?? CLASSIFIER_BATCH_SIZE;
  const learningRate = request.learningRate ?? CLASSIFIER_LEARNING_RATE;
  const channels = dataset.train.shape[3];
  const numClasses = dataset.classNames.length;
  const key = {
    dataset: dataset.name,
    train: contentFingerprint(dataset.train),
    test: dataset.test === undefined ? null : contentFingerprint(dataset.test),
    numClasses,
    channels,
    imageSize: geometry.imageSize,
    fit: geometry.fit,
    width,
    epochs,
    seed,
    batchSize,
    learningRate,
  };
  const dir = cacheEntryDir(request.cacheDir, 'domain-classifier', dataset.name, key);
  const id = path.basename(dir);

  // 1. A complete entry for this key: load it.
  const recorded = (await readJsonIfValid(path.join(dir, INFO_FILE))) as { key?: unknown; info?: DomainClassifierInfo } | undefined;
  if (recorded?.info !== undefined && sameKey(recorded.key, key)) {
    try {
      const model = await readModelDir(dir);
      const info = cachedInfo(recorded.info);
      request.log?.(`domain classifier: cached ${path.join(dir, MODEL_JSON)} (${formatClassifierAccuracy(info)})`);
      return { model, info, cached: true, dir };
    } catch (error) {
      // A damaged entry (truncated weights, say) is rebuilt rather than trusted.
      if (!(error instanceof UserError)) throw error;
      request.log?.(`domain classifier: ignoring the damaged cache entry ${dir} (${error.message})`);
    }
  }

  // 2. Otherwise train it on every labelled training image and score it.
  const splits = dataSplits(dataset, seed);
  request.log?.(`domain classifier: training on ${splits.trainIndices.length} labelled ${dataset.name} images, ${epochs} epoch(s), width ${width} (cached afterwards in ${dir})`);
  const model = buildDomainClassifier({ imageSize: geometry.imageSize, channels, numClasses, width, seed });
  try {
    const training = await trainClassifier(model, splits.train, splits.trainIndices, {
      ...geometry,
      epochs,
      batchSize,
      learningRate,
      seed,
      onStep: request.onStep,
      progress: { label: 'domain classifier', stream: request.progressStream },
    });
    const accuracy = await classifierAccuracy(model, splits.score, splits.scoreIndices, geometry);
    const onTest = splits.scoreSplit === 'test';
    const info: DomainClassifierInfo = {
      id,
      dataset: dataset.name,
      width,
      epochs,
      seed,
      imageSize: geometry.imageSize,
      testAccuracy: onTest ? accuracy : null,
      heldOutTrainAccuracy: onTest ? null : accuracy,
      accuracySplit: splits.scoreSplit,
      accuracyImages: splits.scoreIndices.length,
      trainImages: splits.trainIndices.length,
      trainSeconds: training.seconds,
      trainBackend: tf.getBackend(),
    };
    request.log?.(`domain classifier: ${formatClassifierAccuracy(info)}, trained in ${training.seconds.toFixed(1)} s`);

    // 3. Cache it; the entry directory appears whole or not at all.
    await writeDirAtomic(dir, async (temp) => {
      await writeModelDir(temp, model);
      await writeFile(path.join(temp, INFO_FILE), formatJson({ key, info, createdAt: new Date().toISOString() }));
    });
    return { model, info, cached: false, dir };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
