import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatClassifierAccuracy, loadOrTrainDomainClassifier, type DomainClassifierRequest } from '../../src/eval/domain-classifier-cache.js';
import { tempDir } from '../temp.js';
import { SILENT, squaresDataset } from './fixtures.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test.serial('without a test split the accuracy is named for what it measured: held-out training images, not a test', async (t) => {
  const { test: _test, ...noTest } = squaresDataset();
  const lines: string[] = [];
  const request: DomainClassifierRequest = { dataset: noTest, geometry: { imageSize: 8, fit: 'pad' }, cacheDir: tempDir('s3gan-classifier-'), width: 2, epochs: 1, seed: 0, progressStream: SILENT, log: (line) => lines.push(line) };
  const trained = await loadOrTrainDomainClassifier(request);
  t.is(trained.info.testAccuracy, null);
  t.is(typeof trained.info.heldOutTrainAccuracy, 'number');
  t.is(trained.info.accuracySplit, 'held-out train');
  t.regex(formatClassifierAccuracy(trained.info), /^accuracy [\d.]+ % on 9 held-out training images \(the dataset has no test split\)$/);
  t.false(lines.some((line) => /test accuracy/.test(line)), lines.join('\n'));
  t.true(lines.some((line) => /held-out training images/.test(line)), lines.join('\n'));
  trained.model.dispose();

  // An entry cached when every accuracy was called testAccuracy is read with the figure where it belongs.
  const infoFile = path.join(trained.dir, 'classifier.json');
  const entry = JSON.parse(readFileSync(infoFile, 'utf8')) as { info: Record<string, unknown> };
  const { heldOutTrainAccuracy, ...older } = entry.info;
  writeFileSync(infoFile, JSON.stringify({ ...entry, info: { ...older, testAccuracy: heldOutTrainAccuracy } }));
  const cached = await loadOrTrainDomainClassifier(request);
  t.true(cached.cached);
  t.deepEqual(cached.info, trained.info);
  cached.model.dispose();
});

test.serial('with a test split the figure is the test accuracy, under that name', async (t) => {
  const trained = await loadOrTrainDomainClassifier({ dataset: squaresDataset(), geometry: { imageSize: 8, fit: 'pad' }, cacheDir: tempDir('s3gan-classifier-'), width: 2, epochs: 1, seed: 0, progressStream: SILENT });
  t.is(trained.info.heldOutTrainAccuracy, null);
  t.is(typeof trained.info.testAccuracy, 'number');
  t.regex(formatClassifierAccuracy(trained.info), /^test accuracy [\d.]+ % on 45 test images$/);
  trained.model.dispose();
});
