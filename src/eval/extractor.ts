/**
 * Feature extractors: what turns images into the feature vectors the metrics compare (and, for a
 * classifier, into class logits). Every extractor reads images as the GAN makes them, [n, size,
 * size, channels] float32 in [−1, 1] at data.imageSize, and adapts them to its own input (size,
 * channels, range) itself, so real and generated images always take the same path.
 */
import * as tf from '@tensorflow/tfjs';
import type { DomainClassifier } from './domain-classifier-cache.js';
import { featuresAndLogitsModel, FEATURE_UNITS } from './domain-classifier.js';

/** Outputs of one chunk; the caller disposes them. (A type, not an interface, so it is a tf.TensorContainer.) */
export type ExtractorOutput = {
  /** [n, featureDim]. */
  readonly features: tf.Tensor2D;
  /** [n, numClasses], when the extractor is a classifier. */
  readonly logits?: tf.Tensor2D;
};

/** Pixel range a model expects (eval.extractorInputRange). */
export type InputRange = '-1..1' | '0..1' | '0..255';

/** What results record about an extractor. */
export interface ExtractorDescription {
  readonly kind: 'domain-classifier' | 'layers-model' | 'graph-model';
  /** Short name printed with each number, e.g. 'domain-classifier' or 'inception.json#pool3'. */
  readonly name: string;
  /** Identifies weights, layer and input handling; reference statistics are cached under it. */
  readonly id: string;
  readonly featureDim: number;
  /** The model file (models on disk). */
  readonly path?: string;
  /** The layer or node read (models on disk). */
  readonly layer?: string;
  /** Input side in pixels and range the model reads. */
  readonly inputSize: number;
  readonly inputRange: InputRange;
}

export interface FeatureExtractor {
  readonly description: ExtractorDescription;
  /** Classes of the logits it returns (0 when it returns none). */
  readonly numClasses: number;
  /**
   * images [n, size, size, channels] float32 in [−1, 1] → features [n, featureDim] (and logits).
   * Synchronous tensor code: call it inside tf.tidy or dispose the outputs.
   */
  apply(images: tf.Tensor4D): ExtractorOutput;
  /** Releases what the extractor loaded itself (a model it was given stays with its owner). */
  dispose(): void;
}

/**
 * The domain classifier as extractor: features of its penultimate dense layer, and its logits.
 * `toInput` brings images to the classifier's own input geometry (the shipped networks').
 */
export function domainClassifierExtractor(classifier: DomainClassifier, toInput?: (images: tf.Tensor4D) => tf.Tensor4D): FeatureExtractor {
  // Shares the classifier's layers; disposing it would dispose the owner's weights, so it is not.
  const readout = featuresAndLogitsModel(classifier.model);
  const numClasses = classifier.model.outputs[0].shape[1] as number;
  return {
    description: {
      kind: 'domain-classifier',
      // The shipped networks (shipped-network.ts) are the only classifiers with a recorded weights hash.
      name: classifier.info.weightsSha256 === undefined ? 'domain-classifier' : `${classifier.info.dataset}-network`,
      id: classifier.info.id,
      featureDim: FEATURE_UNITS,
      inputSize: classifier.info.imageSize,
      inputRange: '-1..1',
    },
    numClasses,
    apply(images) {
      const input = toInput === undefined ? images : toInput(images);
      const [features, logits] = readout.predict(input, { batchSize: images.shape[0] }) as tf.Tensor2D[];
      if (input !== images) input.dispose();
      return { features, logits };
    },
    dispose() {},
  };
}

/**
 * Brings images [n, s, s, c] in [−1, 1] to a model's input: bilinear resize to `size`, grey → RGB by
 * repetition or RGB → grey by the channel mean, then the model's range.
 */
export function adaptInput(images: tf.Tensor4D, target: { readonly size: number; readonly channels: number; readonly range: InputRange }): tf.Tensor4D {
  return tf.tidy(() => {
    let x = images;
    const [, height, width, channels] = x.shape;
    if (height !== target.size || width !== target.size) x = tf.image.resizeBilinear(x, [target.size, target.size]);
    if (channels !== target.channels) {
      if (channels === 1) x = tf.tile(x, [1, 1, 1, target.channels]);
      else if (target.channels === 1) x = tf.mean(x, 3, true);
      else throw new Error(`cannot adapt ${channels}-channel images to a ${target.channels}-channel model input`);
    }
    switch (target.range) {
      case '-1..1':
        return x;
      case '0..1':
        return tf.div(tf.add(x, 1), 2);
      case '0..255':
        return tf.mul(tf.add(x, 1), 127.5);
    }
  });
}

/**
 * Features from a layer output of any rank: [n, d] as is, [n, h, w, c] averaged over space (as
 * InceptionV3's pool3 averages its last feature map), anything else flattened.
 */
export function toFeatureRows(output: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    if (output.rank === 2) return output.clone() as tf.Tensor2D;
    if (output.rank === 4) return tf.mean(output, [1, 2]);
    return tf.reshape(output, [output.shape[0], -1]);
  });
}
