import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { classifierAccuracy, cosineLearningRate, labelledIndices } from '../../src/eval/classifier-training.js';
import { loadOrTrainDomainClassifier } from '../../src/eval/domain-classifier-cache.js';
import { buildDomainClassifier, FEATURE_UNITS, FEATURES_LAYER } from '../../src/eval/domain-classifier.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';
import { mnistSubset, SILENT, squaresDataset } from './fixtures.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('the classifier maps [batch, s, s, c] to logits and exposes FEATURE_UNITS features', (t) => {
  const model = buildDomainClassifier({ imageSize: 8, channels: 1, numClasses: 3, width: 2, seed: 0 });
  t.deepEqual(model.outputs[0].shape, [null, 3]);
  t.deepEqual(model.getLayer(FEATURES_LAYER).outputShape, [null, FEATURE_UNITS]);
  const again = buildDomainClassifier({ imageSize: 8, channels: 1, numClasses: 3, width: 2, seed: 0 });
  t.deepEqual(model.getWeights()[0].arraySync(), again.getWeights()[0].arraySync(), 'seed 0 gives the same weights twice');
  model.dispose();
  again.dispose();
  t.throws(() => buildDomainClassifier({ imageSize: 10, channels: 1, numClasses: 3, width: 2, seed: 0 }), { instanceOf: UserError, message: /multiple of 4/ });
});

test('the learning rate follows a cosine from its base to 0', (t) => {
  t.is(cosineLearningRate(1e-3, 0, 100), 1e-3);
  t.true(Math.abs(cosineLearningRate(1e-3, 50, 100) - 5e-4) < 1e-12);
  t.true(cosineLearningRate(1e-3, 99, 100) < 1e-6);
});

test.serial('trained on a few hundred MNIST images it beats chance clearly; a second call loads it from the cache', async (t) => {
  const dataset = await mnistSubset(400, 200);
  const cacheDir = tempDir('s3gan-classifier-');
  let steps = 0;
  const request = {
    dataset,
    geometry: { imageSize: 8, fit: 'resize' as const },
    cacheDir,
    width: 4,
    epochs: 2,
    seed: 0,
    batchSize: 16,
    learningRate: 5e-3,
    onStep: () => (steps += 1),
    progressStream: SILENT,
  };
  const before = tf.memory().numTensors;
  const first = await loadOrTrainDomainClassifier(request);
  t.false(first.cached);
  t.is(steps, 2 * Math.ceil(400 / 16), 'two epochs of batch 16');
  const testAccuracy = first.info.testAccuracy ?? Number.NaN;
  t.true(testAccuracy > 0.25, `test accuracy ${testAccuracy} (chance is 0.1)`);
  t.is(first.info.heldOutTrainAccuracy, null);
  t.is(first.info.accuracySplit, 'test');
  t.is(first.info.accuracyImages, 200);
  t.is(first.info.trainImages, 400);

  const entry = path.dirname(path.join(first.dir, 'model.json'));
  const mtime = statSync(path.join(entry, 'weights.bin')).mtimeMs;
  const second = await loadOrTrainDomainClassifier(request);
  t.true(second.cached);
  t.is(steps, 2 * Math.ceil(400 / 16), 'no update on the second call');
  t.is(statSync(path.join(entry, 'weights.bin')).mtimeMs, mtime, 'the cache entry was not rewritten');
  t.deepEqual(second.info, first.info);
  const geometry = request.geometry;
  const indices = labelledIndices(dataset.test!);
  t.is(await classifierAccuracy(second.model, dataset.test!, indices, geometry), testAccuracy, 'the cached model predicts as the trained one');

  // Another seed is another classifier; the entries sit side by side.
  const third = await loadOrTrainDomainClassifier({ ...request, seed: 1, epochs: 1 });
  t.false(third.cached);
  t.is(readdirSync(path.join(cacheDir, 'eval', 'domain-classifier')).filter((name) => !name.startsWith('.')).length, 2);
  first.model.dispose();
  second.model.dispose();
  third.model.dispose();
  t.is(tf.memory().numTensors, before, 'training, scoring and loading leave no tensor behind');
});

test.serial('without a test split the accuracy is measured on a held-out tenth of the training images', async (t) => {
  const { test: _test, ...rest } = squaresDataset();
  const classifier = await loadOrTrainDomainClassifier({ dataset: rest, geometry: { imageSize: 8, fit: 'pad' }, cacheDir: tempDir('s3gan-classifier-'), width: 2, epochs: 1, seed: 0, progressStream: SILENT });
  t.is(classifier.info.accuracySplit, 'held-out train');
  t.is(classifier.info.accuracyImages, 9);
  t.is(classifier.info.trainImages, 81);
  classifier.model.dispose();
});

test('a dataset without labels is refused, naming the extractor option', async (t) => {
  const dataset = squaresDataset();
  const unlabelled = { ...dataset, train: { ...dataset.train, labels: new Int32Array(90).fill(-1) } };
  await t.throwsAsync(
    loadOrTrainDomainClassifier({ dataset: unlabelled, geometry: { imageSize: 8, fit: 'pad' }, cacheDir: tempDir('s3gan-classifier-'), width: 2, epochs: 1, seed: 0, progressStream: SILENT }),
    { instanceOf: UserError, message: /eval\.extractorPath/ },
  );
});
