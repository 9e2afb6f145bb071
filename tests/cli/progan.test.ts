/**
 * `s3gan train` with gan.architecture=progan on real MNIST at 8×8 (4×4, then 8×8 fading in): the
 * run finishes with a grid per resolution and its export, and `s3gan sample` draws from it; a method ProGAN
 * cannot train is refused with exit code 2, leaving the run directory as it was.
 */
import test from 'ava';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { dirSnapshot, runMetrics, s3gan, tempDir } from './helpers.js';

const TINY_PROGAN = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'gan.architecture=progan',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=8',
  '--set', 'gan.loss=wasserstein',
  '--set', 'gan.penalty=wgan-gp',
  '--set', 'gan.driftWeight=0.001',
  '--set', 'gan.progan.imagesPerPhase=16',
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'gan.checkpointEverySteps=2',
];

test('progan trains through the CLI: growth logged, a grid per resolution, samples from the run', (t) => {
  const run = tempDir('s3gan-cli-progan-');
  const result = s3gan(['train', '--run', run, '--method', 'gan', '--steps', '4', ...TINY_PROGAN]);
  t.is(result.code, 0, result.stderr);
  const gan = runMetrics(run).filter((record) => record.stage === 'gan');
  t.deepEqual(gan.map((record) => record.growthResolution), [4, 4, 8, 8]);
  t.deepEqual(gan.map((record) => record.fadeAlpha), [1, 1, 0, 0.5]);
  for (const grid of ['resolution-4x4.png', 'resolution-8x8.png']) t.true(existsSync(path.join(run, 'gan/samples', grid)), grid);
  t.true(existsSync(path.join(run, 'gan/export/generator-ema/model.json')));
  const out = path.join(run, 'grid.png');
  const sample = s3gan(['sample', '--run', run, '--ema', '-n', '4', '--out', out, '--set', 'backend.name=cpu']);
  t.is(sample.code, 0, sample.stderr);
  t.true(existsSync(out));
});

test('a method with a rotation head is refused with exit code 2 and the run directory untouched', (t) => {
  const run = tempDir('s3gan-cli-progan-refused-');
  mkdirSync(run, { recursive: true });
  const before = dirSnapshot(run);
  const result = s3gan(['train', '--run', run, '--method', 'ssgan', '--steps', '2', '--set', 'gan.rotatedBatchFraction=1', ...TINY_PROGAN]);
  t.is(result.code, 2);
  t.regex(result.stderr, /gan\.architecture=progan has no rotation or classifier head on D: method ssgan/);
  t.deepEqual(dirSnapshot(run), before);
});
