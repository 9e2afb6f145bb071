import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { dirSnapshot, s3gan, tempDir } from './helpers.js';

/** A tiny conditional GAN on MNIST resized to 8×8 (as in train.test.ts); its one grid at step 1. */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=8',
  '--set', 'gan.sampleEverySteps=0',
];
const run = path.join(tempDir('s3gan-cli-sample-'), 'run');
const trained = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '1', ...TINY]);

/** Pixels of the left `margin` columns of a grey image file that are not background (0). */
async function litInMargin(file: string, margin: number): Promise<number> {
  const { data, info } = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  let lit = 0;
  for (let i = 0; i < data.length; i++) if (i % info.width < margin && data[i] > 40) lit += 1;
  return lit;
}

test('training grids and s3gan sample label each row with its class name', async (t) => {
  t.is(trained.code, 0, trained.stderr);
  // Training grid: 10 rows × 10 images of 8×8 at scale 2; the labels are one character at 14 px.
  const margin = Math.ceil(0.6 * 14) + 2;
  const trainingGrid = path.join(run, 'gan/samples/step-00000001.png');
  t.like(await sharp(trainingGrid).metadata(), { width: margin + 2 + 10 * (16 + 2), height: 2 + 10 * (16 + 2) });
  t.true((await litInMargin(trainingGrid, margin)) > 20, 'class names drawn in the margin');
  const state = JSON.parse(readFileSync(path.join(run, 'gan/checkpoints/step-00000001/state.json'), 'utf8')) as { classNames: string[] };
  t.deepEqual(state.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], 'the checkpoint records the names');

  const out = path.join(run, 'grid.png');
  const sample = s3gan(['sample', '--run', run, '-n', '20', '--scale', '1', '--out', out, '--set', 'backend.name=cpu']);
  t.is(sample.code, 0, sample.stderr);
  // 8-pixel rows take the 8 px font: one character is 5 pixels, then a padding.
  const sampleMargin = Math.ceil(0.6 * 8) + 2;
  t.like(await sharp(out).metadata(), { format: 'png', width: sampleMargin + 2 * 8 + 3 * 2, height: 10 * 8 + 11 * 2 });
  t.true((await litInMargin(out, sampleMargin)) > 10);
});

test('s3gan sample writes JPEG or WebP by the extension of --out', async (t) => {
  t.is(trained.code, 0, trained.stderr);
  const jpg = path.join(run, 'grid.jpg');
  const result = s3gan(['sample', '--run', run, '-n', '10', '--out', jpg, '--set', 'backend.name=cpu']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual([...readFileSync(jpg).subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG bytes, not PNG');
  t.is((await sharp(jpg).metadata()).format, 'jpeg');
  const webp = path.join(run, 'grid.WEBP');
  t.is(s3gan(['sample', '--run', run, '-n', '10', '--out', webp, '--set', 'backend.name=cpu']).code, 0);
  t.is((await sharp(webp).metadata()).format, 'webp');
});

test('an --out extension that is no image format is refused before anything is written', (t) => {
  t.is(trained.code, 0, trained.stderr);
  const before = dirSnapshot(run);
  for (const name of ['grid.gif', 'grid']) {
    const out = path.join(run, name);
    const result = s3gan(['sample', '--run', run, '--out', out, '--set', 'backend.name=cpu']);
    t.is(result.code, 2, name);
    t.regex(result.stderr, new RegExp(`--out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (unknown image extension '\\.gif'|no file extension); the format follows the extension: \\.png, \\.jpg, \\.jpeg, \\.webp`, 'm'));
    t.false(existsSync(out));
  }
  t.deepEqual(dirSnapshot(run), before);
  const help = s3gan(['sample', '--help']);
  t.regex(help.stdout.replace(/\s+/g, ' '), /its extension picks the format: \.png, \.jpg\/\.jpeg or \.webp/);
  t.regex(help.stdout, /labelled with their names/);
});
