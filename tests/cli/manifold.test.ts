import test from 'ava';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dirSnapshot, s3gan, tempDir, TINY } from './helpers.js';


const MANIFOLD_KEYS = ['gManifoldLoss', 'manifoldCentroid', 'manifoldRadius', 'manifoldCorrelation', 'manifoldSquaredBandwidth'];

function ganRecords(run: string): Record<string, unknown>[] {
  return readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.stage === 'gan');
}

test('mmgan trains on MNIST and logs the manifold term and its parts', (t) => {
  const run = path.join(tempDir('s3gan-cli-mmgan-'), 'run');
  const result = s3gan(['train', '--run', run, '--method', 'mmgan', '--steps', '3', ...TINY]);
  t.is(result.code, 0, result.stderr);
  const records = ganRecords(run);
  t.deepEqual(records.map((r) => r.step), [1, 2, 3]);
  for (const key of ['dLoss', 'gLoss', ...MANIFOLD_KEYS]) t.true(records.every((r) => Number.isFinite(r[key])), key);
});

test('the S3GAN loss with gan.manifoldWeight > 0 trains and logs the term next to the rotation losses', (t) => {
  // s3gan-full: the S3GAN objective on true labels, so no pretraining stage is needed.
  const run = path.join(tempDir('s3gan-cli-s3gan-manifold-'), 'run');
  const result = s3gan(['train', '--run', run, '--method', 's3gan-full', '--steps', '2', ...TINY, '--set', 'gan.rotatedBatchFraction=2', '--set', 'gan.manifoldWeight=0.5', '--set', 'gan.manifoldBandwidth=2']);
  t.is(result.code, 0, result.stderr);
  for (const key of ['gRotationLoss', 'dRotationLoss', ...MANIFOLD_KEYS]) t.true(ganRecords(run).every((r) => Number.isFinite(r[key])), key);
  t.true(ganRecords(run).every((r) => r.manifoldSquaredBandwidth === 4), 'σ = 2');
});

test('bad manifold settings are refused naming the key, and the run directory is left as it was', (t) => {
  const run = path.join(tempDir('s3gan-cli-manifold-bad-'), 'run');
  const first = s3gan(['train', '--run', run, '--method', 'mmgan', '--steps', '1', ...TINY]);
  t.is(first.code, 0, first.stderr);
  const before = dirSnapshot(run);
  for (const [setting, key] of [
    ['gan.manifoldBandwidth=-1', 'gan.manifoldBandwidth'],
    ['gan.manifoldBandwidth=mean', 'gan.manifoldBandwidth'],
    ['gan.manifoldDecay=1', 'gan.manifoldDecay'],
    ['gan.manifoldMemoryBatches=0', 'gan.manifoldMemoryBatches'],
    ['gan.manifoldWeight=-0.1', 'gan.manifoldWeight'],
    ['gan.manifoldCorrelationWeight=-1', 'gan.manifoldCorrelationWeight'],
  ]) {
    const result = s3gan(['train', '--run', run, '--method', 'mmgan', '--steps', '2', ...TINY, '--set', setting]);
    t.is(result.code, 2, setting);
    t.true(result.stderr.includes(key), `${setting}: ${result.stderr}`);
    t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  }
  t.deepEqual(dirSnapshot(run), before);
});
