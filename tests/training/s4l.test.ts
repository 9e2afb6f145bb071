import test from 'ava';
import { mnistTrainSubset, SILENT } from '../fixtures.js';
import * as tf from '@tensorflow/tfjs';
import { configSchema } from '../../src/config/schema.js';
import { type ImageSplit } from '../../src/data/types.js';
import { buildRotationEncoder } from '../../src/nn/architectures/rotation-encoder.js';
import { buildS4lClassifier, meanStepResult, trainS4lClassifier, type S4lTrainingOptions } from '../../src/classify/s4l.js';
import { pseudoLabelStageHash } from '../../src/stages/pseudo-label-stage.js';
import { predictS4l } from '../../src/classify/s4l-predict.js';
import { UserError } from '../../src/util/errors.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** The first `perClass` images of each digit: the labelled subset. */
function firstOfEachClass(split: ImageSplit, perClass: number): Int32Array {
  const taken = new Array<number>(10).fill(0);
  const picked: number[] = [];
  split.labels.forEach((y, i) => {
    if (taken[y] < perClass) {
      taken[y]++;
      picked.push(i);
    }
  });
  return Int32Array.from(picked);
}

/** The tiny encoder: width 2 on MNIST resized to 8×8. */
function tinyEncoder(seed = 0): tf.LayersModel {
  return buildRotationEncoder({ architecture: 'convnet', width: 2, imageSize: 8, channels: 1, seed });
}

function options(overrides: Partial<S4lTrainingOptions> = {}): S4lTrainingOptions {
  return {
    numClasses: 10,
    block: 3,
    steps: 30,
    learningRate: 1e-2,
    batchSize: 16,
    labelledBatchSize: 16,
    classWeight: 1,
    seed: 0,
    imageSize: 8,
    fit: 'resize',
    progressStream: SILENT,
    ...overrides,
  };
}

const PREDICT = { imageSize: 8, fit: 'resize' as const, batchSize: 64 };

test.serial('on real MNIST digits with 5 labels per class the class loss falls, and no step leaks a tensor', async (t) => {
  const split = await mnistTrainSubset(300);
  const labelled = firstOfEachClass(split, 5);
  const labels = Int32Array.from(labelled, (i) => split.labels[i]);
  const encoder = tinyEncoder();
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  const training = await trainS4lClassifier(encoder, split, labelled, labels, options({ onStep: () => counts.push(tf.memory().numTensors) }));
  // After the first step (which creates Adam's moments) every step ends with the same tensors.
  t.true(counts.slice(1).every((c) => c === counts[1]), counts.join(' '));
  const first = meanStepResult(training.history.slice(0, 5));
  const last = meanStepResult(training.history.slice(-5));
  t.log(`class loss ${first.classLoss.toFixed(3)} → ${last.classLoss.toFixed(3)}, rotation loss ${first.rotationLoss.toFixed(3)} → ${last.rotationLoss.toFixed(3)}`);
  t.is(training.history.length, 30);
  t.true(last.classLoss < first.classLoss - 0.3, 'the labelled cross-entropy falls');
  t.true(Number.isFinite(last.rotationLoss));

  const all = Int32Array.from({ length: 300 }, (_, i) => i);
  const prediction = await predictS4l(training.classifier, split, all, PREDICT);
  t.is(prediction.labels.length, 300);
  t.deepEqual([prediction.probabilities.rows, prediction.probabilities.cols], [300, 10]);
  for (let i = 0; i < 300; i++) {
    const row = prediction.probabilities.data.subarray(i * 10, (i + 1) * 10);
    t.true(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    t.is(Math.fround(Math.max(...row)), prediction.confidences[i]);
    t.is(row[prediction.labels[i]], Math.max(...row));
  }
  // Inference mode: a prediction does not depend on the batch it is made in.
  const oneByOne = await predictS4l(training.classifier, split, all.subarray(0, 20), { ...PREDICT, batchSize: 1 });
  t.deepEqual(oneByOne.labels, prediction.labels.subarray(0, 20));
  const unlabelled = all.filter((i) => !labelled.includes(i));
  const correct = unlabelled.filter((i) => prediction.labels[i] === split.labels[i]).length;
  t.log(`accuracy on the ${unlabelled.length} unlabelled images: ${(correct / unlabelled.length).toFixed(3)}`);
  t.true(correct / unlabelled.length > 0.15, 'better than chance (0.1)');

  training.classifier.dispose();
  t.is(tf.memory().numTensors, before, 'only the encoder remains');
  encoder.dispose();
});

test.serial('the same seed gives the same predictions; another seed other ones', async (t) => {
  const split = await mnistTrainSubset(200);
  const labelled = firstOfEachClass(split, 5);
  const labels = Int32Array.from(labelled, (i) => split.labels[i]);
  const all = Int32Array.from({ length: 200 }, (_, i) => i);
  const predictions = [];
  for (const seed of [3, 3, 4]) {
    const encoder = tinyEncoder(0);
    const training = await trainS4lClassifier(encoder, split, labelled, labels, options({ steps: 6, seed }));
    predictions.push({ history: training.history, prediction: await predictS4l(training.classifier, split, all, PREDICT) });
    training.classifier.dispose();
    encoder.dispose();
  }
  t.deepEqual(predictions[0].history, predictions[1].history);
  t.deepEqual(predictions[0].prediction.labels, predictions[1].prediction.labels);
  t.deepEqual(predictions[0].prediction.probabilities.data, predictions[1].prediction.probabilities.data);
  t.notDeepEqual(predictions[0].prediction.probabilities.data, predictions[2].prediction.probabilities.data);
});

test.serial('the class head reads the chosen block; bad blocks and batch sizes are refused', async (t) => {
  const split = await mnistTrainSubset(40);
  const encoder = tinyEncoder();
  const classifier = buildS4lClassifier(encoder, 10, 1, 0);
  t.deepEqual(classifier.model.outputs.map((o) => o.shape), [[null, 4], [null, 10]]);
  // The head's kernel is [c_1, 10] = [2·2, 10].
  t.deepEqual(classifier.model.getLayer('s4l_class').getWeights()[0].shape, [4, 10]);
  classifier.dispose();
  t.throws(() => buildS4lClassifier(encoder, 10, 4, 0), { instanceOf: UserError, message: /block 4 does not exist/ });
  await t.throwsAsync(trainS4lClassifier(encoder, split, Int32Array.from([0]), Int32Array.from([split.labels[0]]), options({ batchSize: 41 })), {
    instanceOf: UserError,
    message: /pseudoLabel\.s4lBatchSize \(41\) is larger than the 40 training images/,
  });
  encoder.dispose();
});

test('the s4l settings enter the pseudo-label stage hash only when the s4l classifier is used', (t) => {
  const hash = (pseudoLabel: Record<string, unknown>) => pseudoLabelStageHash(configSchema.parse({ pseudoLabel }));
  t.is(hash({}), hash({ s4lSteps: 7 }), 'linear labels do not depend on s4l settings');
  t.not(hash({ classifier: 's4l' }), hash({ classifier: 's4l', s4lSteps: 7 }));
  t.not(hash({ classifier: 's4l' }), hash({}));
});
