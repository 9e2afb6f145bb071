import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FeatureExtractor } from '../../src/eval/extractor.js';
import { loadOrComputeReference, referenceIndices } from '../../src/eval/reference.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';
import { SILENT, squaresDataset } from './fixtures.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** Features = the 64 pixels of an 8×8 image; counts its calls. */
function flattenExtractor(): FeatureExtractor & { calls: number } {
  return {
    calls: 0,
    description: { kind: 'layers-model', name: 'flatten', id: 'flatten-v1', featureDim: 64, inputSize: 8, inputRange: '-1..1' },
    numClasses: 0,
    apply(images) {
      this.calls += 1;
      return { features: tf.reshape(images, [images.shape[0], 64]) };
    },
    dispose() {},
  };
}

test('the real subset is fixed, ascending, and the whole split when n reaches its size', (t) => {
  const a = referenceIndices(100, 10);
  t.deepEqual(a, referenceIndices(100, 10));
  t.deepEqual(Array.from(a), Array.from(a).sort((x, y) => x - y));
  t.is(new Set(a).size, 10);
  t.deepEqual(Array.from(referenceIndices(5, 10)), [0, 1, 2, 3, 4]);
});

test.serial('reference features are computed once, cached atomically, and read back bit for bit', async (t) => {
  const dataset = squaresDataset();
  const cacheDir = tempDir('s3gan-reference-');
  const extractor = flattenExtractor();
  const request = { dataset, split: 'test' as const, count: 20, extractor, geometry: { imageSize: 8, fit: 'pad' as const }, cacheDir, progressStream: SILENT };
  const before = tf.memory().numTensors;
  const first = await loadOrComputeReference(request);
  t.false(first.cached);
  t.is(first.count, 20);
  t.deepEqual([first.features.rows, first.features.cols], [20, 64]);
  t.is(first.stats.count, 20);
  const calls = extractor.calls;
  t.true(calls > 0);
  const entries = readdirSync(path.join(cacheDir, 'eval', 'reference'));
  t.is(entries.length, 1);
  t.regex(entries[0], /^squares-test-20-[0-9a-f]{16}$/);
  t.deepEqual(readdirSync(path.join(cacheDir, 'eval', 'reference', entries[0])).sort(), ['features.f32', 'labels.i32', 'reference.json']);

  const second = await loadOrComputeReference(request);
  t.true(second.cached);
  t.is(extractor.calls, calls, 'the cached entry needs no extraction');
  t.deepEqual(second.features.data, first.features.data);
  t.deepEqual(second.labels, first.labels);
  t.deepEqual(second.stats.mean, first.stats.mean);
  t.deepEqual(second.stats.covariance, first.stats.covariance);
  t.deepEqual(Array.from(first.labels), Array.from(referenceIndices(45, 20), (i) => dataset.test!.labels[i]));

  // Another n, split or extractor is another entry.
  const whole = await loadOrComputeReference({ ...request, count: 1000 });
  t.false(whole.cached);
  t.is(whole.count, 45, 'n is capped at the split size');
  const train = await loadOrComputeReference({ ...request, split: 'train' });
  t.false(train.cached);
  t.is(readdirSync(path.join(cacheDir, 'eval', 'reference')).length, 3);

  // A damaged entry is not trusted: it is recomputed.
  writeFileSync(path.join(cacheDir, 'eval', 'reference', entries[0], 'features.f32'), 'short');
  const repaired = await loadOrComputeReference(request);
  t.false(repaired.cached);
  t.deepEqual(repaired.features.data, first.features.data);
  t.true((await loadOrComputeReference(request)).cached);
  t.is(tf.memory().numTensors, before);
});

test('a test split that does not exist is a UserError naming eval.split', async (t) => {
  const { test: _test, ...dataset } = squaresDataset();
  await t.throwsAsync(
    loadOrComputeReference({ dataset, split: 'test', count: 10, extractor: flattenExtractor(), geometry: { imageSize: 8, fit: 'pad' }, cacheDir: tempDir('s3gan-reference-'), progressStream: SILENT }),
    { instanceOf: UserError, message: /eval\.split is 'test' but dataset squares has no test split/ },
  );
});
