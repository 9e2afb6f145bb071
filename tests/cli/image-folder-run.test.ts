/**
 * A user's own folder: grayscale PNGs in one subfolder per class and
 * no test split. The whole pipeline runs on it and `eval --metrics all` computes what applies,
 * naming what it skipped.
 */
import test from 'ava';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { readMnist } from '../../src/data/mnist.js';
import { s3gan, tempDir } from './helpers.js';

/** MNIST digits `digit`, the first `count` of the training split, as 28×28 grayscale PNGs. */
async function writeDigits(folder: string, digit: number, count: number): Promise<void> {
  const { train } = await readMnist();
  mkdirSync(folder, { recursive: true });
  let written = 0;
  for (let i = 0; i < train.labels.length && written < count; i++) {
    if (train.labels[i] !== digit) continue;
    const pixels = Buffer.from(train.images.subarray(i * 784, (i + 1) * 784));
    await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(folder, `${written}.png`));
    written++;
  }
}

/** Training sizes small enough for the cpu backend; evaluation keeps its defaults but the sample count. */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', 'data.name=image-folder',
  '--set', 'data.imageSize=8',
  '--set', 'labels.perClass=4',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.steps=2',
  '--set', 'pretrain.logHeldOutImages=8',
  '--set', 'pseudoLabel.folds=2',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=16',
  '--set', 'gan.steps=2',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'eval.classifierWidth=2',
  '--set', 'eval.classifierEpochs=1',
];

test('a grayscale folder without a test split: run, then eval --metrics all', async (t) => {
  const root = tempDir('s3gan-folder-run-');
  const images = path.join(root, 'digits');
  await writeDigits(path.join(images, 'one'), 1, 40);
  await writeDigits(path.join(images, 'zero'), 0, 40);
  const run = path.join(root, 'run');
  const env = { cwd: root, cacheHome: path.join(root, 'cache') };

  const pipeline = s3gan(['run', '--run', run, '--set', `data.path=${images}`, ...TINY], env);
  t.is(pipeline.code, 0, pipeline.stderr);
  t.regex(pipeline.stderr, /data\.channels: 1, inferred/);
  const resolved = JSON.parse(readFileSync(path.join(run, 'resolved-config.json'), 'utf8')) as { data: { channels?: number } };
  t.not(resolved.data.channels, 3, 'no third channel was chosen for grayscale images');

  const evaluation = s3gan(['eval', '--run', run, '--metrics', 'all', '--samples', '40'], env);
  t.is(evaluation.code, 0, evaluation.stderr);
  const results = JSON.parse(readFileSync(path.join(run, 'eval/results.json'), 'utf8')) as {
    split: string;
    metrics: { metric: string }[];
    skipped: { metric: string; reason: string }[];
  };
  t.is(results.split, 'test', 'scored against the held-out split made for the folder');
  const computed = results.metrics.map((m) => m.metric);
  for (const metric of ['fid', 'kid', 'label-accuracy']) t.true(computed.includes(metric), `${metric} computed`);
  for (const { metric } of results.skipped) t.regex(evaluation.stderr, new RegExp(`skipping ${metric}: `));
});
