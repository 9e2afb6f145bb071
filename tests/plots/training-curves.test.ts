import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { MetricsLog } from '../../src/artifacts/metrics-log.js';
import { curvePoints, GAN_CURVES, PRETRAIN_CURVES, writeCurves } from '../../src/plots/training-curves.js';
import { tempDir } from '../temp.js';

function log(dir: string, records: Record<string, number | string | null>[]): string {
  const file = path.join(dir, 'metrics.jsonl');
  const metrics = MetricsLog.open(file);
  for (const record of records) metrics.log(record);
  metrics.close();
  return file;
}

const GAN_RECORDS: Record<string, number | string | null>[] = [
  { stage: 'pretrain', step: 1, loss: 1.3, accuracy: 0.3 },
  { stage: 'gan', step: 1, imagesSeen: 8, dLoss: 2, gLoss: 1, dRotationAccuracyReal: 0.5, imagesPerSecond: 100 },
  { stage: 'gan', step: 2, imagesSeen: 16, dLoss: 1.5, gLoss: null, dRotationAccuracyReal: 0.6, imagesPerSecond: 90 },
  { stage: 'gan-eval', step: 2, fid: 80, labelAccuracy: 0.2, n_fake: 16, evalSeconds: 3 },
];

test('curve points: one line per matching field against the step; bookkeeping and nulls left out', async (t) => {
  const records = await MetricsLog.read(log(tempDir('s3gan-curves-'), GAN_RECORDS));
  const losses = GAN_CURVES.find((c) => c.file === 'losses.png')!;
  t.deepEqual(curvePoints(records, losses), [
    { x: 1, y: 2, group: 'dLoss' },
    { x: 2, y: 1.5, group: 'dLoss' },
    { x: 1, y: 1, group: 'gLoss' },
  ]);
  const fid = GAN_CURVES.find((c) => c.file === 'fid.png')!;
  t.deepEqual(curvePoints(records, fid), [{ x: 2, y: 80, group: 'fid' }]);
  const pretrainLoss = PRETRAIN_CURVES.find((c) => c.file === 'loss.png')!;
  t.deepEqual(curvePoints(records, pretrainLoss), [{ x: 1, y: 1.3, group: 'loss' }]);
});

test('a step logged twice (a run restarted from scratch) is drawn once, with its later value', async (t) => {
  const records = await MetricsLog.read(log(tempDir('s3gan-curves-'), [{ stage: 'gan', step: 1, dLoss: 5 }, { stage: 'gan', step: 1, dLoss: 2 }]));
  t.deepEqual(curvePoints(records, GAN_CURVES[0]), [{ x: 1, y: 2, group: 'dLoss' }]);
});

test('writeCurves writes a PNG per chart with data, and none for charts without', async (t) => {
  const dir = tempDir('s3gan-curves-');
  const file = log(dir, GAN_RECORDS);
  const out = path.join(dir, 'gan', 'curves');
  const written = await writeCurves(file, out, GAN_CURVES);
  t.deepEqual(written.map((f) => path.basename(f)), ['losses.png', 'accuracy.png', 'fid.png', 'label-accuracy.png']);
  for (const png of written) t.is((await sharp(png).metadata()).format, 'png');
  t.deepEqual(readdirSync(out).sort(), ['accuracy.png', 'fid.png', 'label-accuracy.png', 'losses.png'], 'no temporary files left');

  const pretrainOnly = tempDir('s3gan-curves-');
  const none = await writeCurves(log(pretrainOnly, [GAN_RECORDS[0]]), path.join(pretrainOnly, 'gan', 'curves'), GAN_CURVES);
  t.deepEqual(none, []);
  t.false(existsSync(path.join(pretrainOnly, 'gan', 'curves')), 'no folder for no charts');
});
