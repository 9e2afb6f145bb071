/**
 * Supervised training and scoring of a domain-classifier network (domain-classifier.ts) on labelled
 * images: Adam on the softmax cross-entropy with the learning rate annealed along a cosine to 0
 * (Loshchilov & Hutter 2017, SGDR, one cycle), which settles a short training's last steps; seeded
 * shuffles and seeded dropout masks; scoring in inference mode, in chunks. Used for the domain
 * classifier (real training images) and for CAS (generated images).
 */
import * as tf from '@tensorflow/tfjs';
import { userCheck } from '../util/errors.js';
import { createProgress, type ProgressStream } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import { classifierParts, FEATURE_DROPOUT } from './domain-classifier.js';
import { imageBatch, indexRange, labelsOf, type InputGeometry, type LabelledImages } from './images.js';

/** Rng streams of one training seed: the per-epoch shuffles and the dropout masks. */
const SHUFFLE_STREAM = 11;
const DROPOUT_STREAM = 12;
/** Images per forward pass when scoring: bounds memory, large enough to amortise per-call overhead. */
export const SCORING_CHUNK = 500;

/** Adam whose learning rate can follow a schedule (tfjs keeps it in a protected field). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(value: number): void {
    this.learningRate = value;
  }
}

/** The learning rate of update `step` (0-based) of `total`: base · ½ (1 + cos(π · step / total)). */
export function cosineLearningRate(base: number, step: number, total: number): number {
  return 0.5 * base * (1 + Math.cos((Math.PI * step) / total));
}

export interface ClassifierTrainingOptions extends InputGeometry {
  /** Passes over the training images. */
  readonly epochs: number;
  /** Images per update (the last batch of an epoch may be smaller). */
  readonly batchSize: number;
  /** Adam learning rate at the first update (annealed to 0 at the last). */
  readonly learningRate: number;
  /** Seed of the shuffles and dropout masks. */
  readonly seed: number;
  /** Called after each update with its 1-based number and loss (tests count updates through it). */
  readonly onStep?: (step: number, loss: number) => void;
  /** Progress display (default stderr); label names what is trained. */
  readonly progress?: { readonly label: string; readonly stream?: ProgressStream };
}

export interface ClassifierTrainingResult {
  /** Updates done. */
  readonly steps: number;
  /** Images the updates read (epochs × training images). */
  readonly imagesSeen: number;
  /** Wall-clock seconds. */
  readonly seconds: number;
  /** Mean loss of the last epoch. */
  readonly lastEpochLoss: number;
}

/**
 * Trains `model` (built by buildDomainClassifier) on the images `indices` of `data`, whose labels
 * must be classes of the model. Leaves no tensor behind but the model's own.
 */
export async function trainClassifier(
  model: tf.LayersModel,
  data: LabelledImages,
  indices: Int32Array,
  options: ClassifierTrainingOptions,
): Promise<ClassifierTrainingResult> {
  const numClasses = model.outputs[0].shape[1] as number;
  userCheck(indices.length >= 1, 'classifier training: no labelled images to train on');
  for (const index of indices) {
    const label = data.labels[index];
    userCheck(Number.isInteger(label) && label >= 0 && label < numClasses, () => `classifier training: image ${index} has label ${label}, not a class in [0, ${numClasses})`);
  }
  const { trunk, head } = classifierParts(model);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const optimizer = new ScheduledAdam(options.learningRate, 0.9, 0.999);
  const shuffle = new Rng(options.seed, SHUFFLE_STREAM);
  const dropout = new Rng(options.seed, DROPOUT_STREAM);
  const perEpoch = Math.ceil(indices.length / options.batchSize);
  const totalSteps = options.epochs * perEpoch;
  const progress = createProgress({ label: options.progress?.label ?? 'classifier', total: totalSteps, unit: 'steps', stream: options.progress?.stream });
  const started = Date.now();
  let step = 0;
  let lastEpochLoss = Number.NaN;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const order = shuffle.permutation(indices.length);
      let lossSum = 0;
      for (let start = 0; start < indices.length; start += options.batchSize) {
        const batchIndices = Int32Array.from(order.subarray(start, start + options.batchSize), (i) => indices[i]);
        const mask = dropoutMask(dropout, batchIndices.length, trunk.outputs[0].shape[1] as number);
        optimizer.setLearningRate(cosineLearningRate(options.learningRate, step, totalSteps));
        const loss = tf.tidy(() => {
          const x = imageBatch(data, batchIndices, options);
          const y = tf.oneHot(tf.tensor1d(labelsOf(data, batchIndices), 'int32'), numClasses);
          const keep = tf.tensor2d(mask, [batchIndices.length, mask.length / batchIndices.length]);
          return optimizer.minimize(
            () => {
              // Inverted dropout (Srivastava et al. 2014) on the features, then the class logits.
              const features = trunk.apply(x, { training: true }) as tf.Tensor2D;
              const logits = head.apply(tf.mul(features, keep), { training: true }) as tf.Tensor2D;
              return tf.losses.softmaxCrossEntropy(y, logits);
            },
            true,
            variables,
          ) as tf.Scalar;
        });
        const value = (await loss.data())[0];
        loss.dispose();
        step += 1;
        lossSum += value;
        options.onStep?.(step, value);
        progress.update(step, { loss: value });
      }
      lastEpochLoss = lossSum / perEpoch;
    }
  } finally {
    progress.stop();
    optimizer.dispose();
  }
  return { steps: step, imagesSeen: options.epochs * indices.length, seconds: (Date.now() - started) / 1000, lastEpochLoss };
}

/** Keep-mask of inverted dropout: 0 with probability FEATURE_DROPOUT, else 1 / (1 − FEATURE_DROPOUT). */
function dropoutMask(rng: Rng, rows: number, cols: number): Float32Array {
  const scale = 1 / (1 - FEATURE_DROPOUT);
  return Float32Array.from({ length: rows * cols }, () => (rng.next() < FEATURE_DROPOUT ? 0 : scale));
}

/** The class `model` predicts (argmax of its logits, inference mode) for images `indices` of `data`. */
export async function predictClasses(model: tf.LayersModel, data: LabelledImages, indices: Int32Array, geometry: InputGeometry): Promise<Int32Array> {
  const out = new Int32Array(indices.length);
  for (let start = 0; start < indices.length; start += SCORING_CHUNK) {
    const chunk = indices.subarray(start, start + SCORING_CHUNK);
    const predicted = tf.tidy(() => tf.argMax(model.predict(imageBatch(data, chunk, geometry), { batchSize: chunk.length }) as tf.Tensor2D, 1));
    out.set(await predicted.data(), start);
    predicted.dispose();
  }
  return out;
}

/** Fraction of images `indices` of `data` whose label `model` predicts. */
export async function classifierAccuracy(model: tf.LayersModel, data: LabelledImages, indices: Int32Array, geometry: InputGeometry): Promise<number> {
  userCheck(indices.length >= 1, 'classifier accuracy: no images to score');
  const predicted = await predictClasses(model, data, indices, geometry);
  let correct = 0;
  predicted.forEach((label, i) => {
    if (label === data.labels[indices[i]]) correct += 1;
  });
  return correct / indices.length;
}

/** Indices of every image of `data` with a label (≥ 0). */
export function labelledIndices(data: LabelledImages): Int32Array {
  return indexRange(0, data.shape[0]).filter((i) => data.labels[i] >= 0);
}
