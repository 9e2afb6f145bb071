/**
 * The domain classifier: a small CNN trained on every labelled training image of a dataset, used
 * where InceptionV3 is used for natural images (docs/ALGORITHMS.md § Evaluation networks): its penultimate dense
 * layer gives the features of FID, KID, precision/recall, density/coverage and intra-class FID; its
 * softmax the class probabilities of the Inception Score and of label accuracy. TF-GAN's "MNIST
 * score" and "MNIST Fréchet distance" use a classifier the same way. CAS (Ravuri & Vinyals 2019)
 * trains the same architecture on generated images.
 *
 * Architecture, for [size, size, channels] input in [−1, 1] (size a multiple of 4):
 *   2 blocks of (conv 3×3 → ReLU → conv 3×3 stride 2 → ReLU), with width and 2·width channels,
 *   flatten → dense FEATURE_UNITS + ReLU ('features') → dropout 0.5 (training only) → dense classes ('logits').
 * Strided convolutions downsample instead of max pooling (the all-convolutional net of Springenberg
 * et al. 2015), and there is no batch norm: on the onednn backend max pooling and batch norm's
 * training-mode gradient run in JavaScript and made a step 3–10× slower than the convolutions. With
 * 3 epochs this network reached 99.15 % test accuracy on MNIST and 90.68 % on Fashion-MNIST; the
 * accuracy of each trained classifier is recorded with it (domain-classifier-cache.ts).
 *
 * Dropout is applied by the training code with a seeded mask, not by a tfjs Dropout layer: a seeded
 * tfjs Dropout draws the same mask at every call, and an unseeded one draws from Math.random.
 */
import * as tf from '@tensorflow/tfjs';
import { userCheck } from '../util/errors.js';

/** Name of the dense layer whose output are the features. */
export const FEATURES_LAYER = 'features';
/** Name of the output layer (class logits). */
export const LOGITS_LAYER = 'logits';
/** Feature dimension: the units of the penultimate dense layer. */
export const FEATURE_UNITS = 128;
/** Dropout rate on the features during training (the classic Keras MNIST CNN's 0.5). */
export const FEATURE_DROPOUT = 0.5;

export interface DomainClassifierOptions {
  /** Input side in pixels (data.imageSize), a multiple of 4. */
  readonly imageSize: number;
  /** Input channels, 1 or 3. */
  readonly channels: number;
  /** Output classes, ≥ 2. */
  readonly numClasses: number;
  /** Channels of the first block (the second has twice as many). */
  readonly width: number;
  /** Seed of the weight initialisation. */
  readonly seed: number;
}

/** Builds the classifier: [batch, size, size, channels] in [−1, 1] → logits [batch, numClasses]. */
export function buildDomainClassifier(options: DomainClassifierOptions): tf.LayersModel {
  const { imageSize, channels, numClasses, width } = options;
  userCheck(imageSize % 4 === 0 && imageSize >= 8, () => `domain classifier: data.imageSize must be a multiple of 4 and at least 8, got ${imageSize}`);
  userCheck(numClasses >= 2, () => `domain classifier: needs at least 2 classes, the dataset has ${numClasses}`);
  // tfjs initialisers treat seed 0 as "unseeded" (see nn/layers/init.ts): seeds start at 1.
  let seed = options.seed + 1;
  const input = tf.input({ shape: [imageSize, imageSize, channels], name: 'x' });
  let x: tf.SymbolicTensor = input;
  for (const [block, filters] of [width, 2 * width].entries()) {
    for (const strides of [1, 2]) {
      const name = `conv${block + 1}${strides === 1 ? 'a' : 'b'}`;
      x = tf.layers
        .conv2d({ filters, kernelSize: 3, strides, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed++ }), name })
        .apply(x) as tf.SymbolicTensor;
    }
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const features = tf.layers
    .dense({ units: FEATURE_UNITS, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed++ }), name: FEATURES_LAYER })
    .apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }), name: LOGITS_LAYER })
    .apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'domain_classifier' });
}

/** The classifier's trunk and head, for training with dropout between them. */
export interface ClassifierParts {
  /** Input → features [batch, FEATURE_UNITS]. */
  readonly trunk: tf.LayersModel;
  /** Features → logits. */
  readonly head: tf.layers.Layer;
}

/** Splits a classifier built by buildDomainClassifier (or loaded from its files) at its features. */
export function classifierParts(model: tf.LayersModel): ClassifierParts {
  const features = model.getLayer(FEATURES_LAYER);
  return { trunk: tf.model({ inputs: model.inputs, outputs: features.output as tf.SymbolicTensor }), head: model.getLayer(LOGITS_LAYER) };
}

/** A model with both the features and the logits as outputs (sharing the classifier's weights). */
export function featuresAndLogitsModel(model: tf.LayersModel): tf.LayersModel {
  const features = model.getLayer(FEATURES_LAYER).output as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: [features, model.outputs[0]] });
}
