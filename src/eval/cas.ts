/**
 * Classification Accuracy Score (Ravuri & Vinyals 2019, "Classification accuracy score for
 * conditional generative models"): a classifier trained on generated images only, labelled with
 * the classes they were generated for, then scored on the real test set. A generator that ignores
 * its labels, or covers only part of each class, scores well below a classifier trained on real
 * data (the domain classifier's test accuracy is that reference; note it saw more images).
 * The classifier is the domain classifier's architecture and training recipe.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ProgressStream } from '../util/progress.js';
import { classifierAccuracy, labelledIndices, trainClassifier } from './classifier-training.js';
import { CLASSIFIER_BATCH_SIZE, CLASSIFIER_LEARNING_RATE } from './domain-classifier-cache.js';
import { buildDomainClassifier } from './domain-classifier.js';
import { indexRange, type InputGeometry, type LabelledImages } from './images.js';

export interface CasRequest {
  /** Generated images (uint8, at data.imageSize) with their requested classes as labels. */
  readonly generated: LabelledImages;
  /** The real test split. */
  readonly test: LabelledImages;
  readonly numClasses: number;
  readonly geometry: InputGeometry;
  /** eval.classifierWidth and eval.classifierEpochs. */
  readonly width: number;
  readonly epochs: number;
  /** Seed of the classifier's initialisation, shuffles and dropout. */
  readonly seed: number;
  readonly progressStream?: ProgressStream;
}

export interface CasResult {
  /** Accuracy on the labelled real test images. */
  readonly accuracy: number;
  readonly trainImages: number;
  readonly testImages: number;
  readonly trainSeconds: number;
}

/** Trains a fresh classifier on `generated` and scores it on `test`; leaves no tensor behind. */
export async function classificationAccuracyScore(request: CasRequest): Promise<CasResult> {
  const { generated, test, geometry } = request;
  const model: tf.LayersModel = buildDomainClassifier({
    imageSize: geometry.imageSize,
    channels: generated.shape[3],
    numClasses: request.numClasses,
    width: request.width,
    seed: request.seed,
  });
  try {
    const training = await trainClassifier(model, generated, indexRange(0, generated.shape[0]), {
      ...geometry,
      epochs: request.epochs,
      batchSize: CLASSIFIER_BATCH_SIZE,
      learningRate: CLASSIFIER_LEARNING_RATE,
      seed: request.seed,
      progress: { label: 'cas classifier', stream: request.progressStream },
    });
    const testIndices = labelledIndices(test);
    const accuracy = await classifierAccuracy(model, test, testIndices, geometry);
    return { accuracy, trainImages: generated.shape[0], testImages: testIndices.length, trainSeconds: training.seconds };
  } finally {
    model.dispose();
  }
}
