import test from 'ava';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { MAX_LABEL_CHARS, labelMargin, shortLabel } from '../../src/artifacts/grid-labels.js';
import { gridByClass, gridFormatOf, imageGrid, writeGridImage, writeGridPng } from '../../src/artifacts/image-grid.js';
import { tempDir } from '../temp.js';

const B = 200; // background, unlike any image pixel

/** Six 8×8 grey images of constant value 10(k+1). */
function six(): Uint8Array {
  return Uint8Array.from({ length: 6 * 64 }, (_, i) => 10 * (Math.floor(i / 64) + 1));
}

test('row labels widen the grid by a margin left of the images; the images keep their pixels', (t) => {
  const plain = imageGrid(six(), [6, 8, 8, 1], { columns: 2, padding: 2, background: B });
  const labelled = imageGrid(six(), [6, 8, 8, 1], { columns: 2, padding: 2, background: B, rowLabels: ['zero', 'one', 'two'] });
  // 8-pixel rows take the smallest font (8 px); 4 characters of 0.6 em, then one padding.
  const margin = Math.ceil(4 * 0.6 * 8) + 2;
  t.is(labelled.width, plain.width + margin);
  t.is(labelled.height, plain.height);
  t.deepEqual(
    labelled.labels.map((l) => [l.text, l.x, l.top, l.height]),
    [
      ['zero', 2, 2, 8],
      ['one', 2, 12, 8],
      ['two', 2, 22, 8],
    ],
  );
  // Each row of the labelled grid is the plain row with `margin` background pixels in front.
  for (let y = 0; y < plain.height; y++) {
    const row = labelled.pixels.subarray(y * labelled.width, (y + 1) * labelled.width);
    t.deepEqual([...row.subarray(0, margin)], new Array<number>(margin).fill(B));
    t.deepEqual([...row.subarray(margin)], [...plain.pixels.subarray(y * plain.width, (y + 1) * plain.width)]);
  }
  t.deepEqual(plain.labels, [], 'no labels, no margin');
});

test('long class names are shortened so that one name cannot widen the grid much', (t) => {
  t.is(shortLabel('Ankle boot'), 'Ankle boot');
  const long = shortLabel('T-shirt/top and trousers');
  t.is([...long].length, MAX_LABEL_CHARS);
  t.true(long.endsWith('…'));
  t.is(labelMargin(['a', 'T-shirt/top and trousers'], 56, 2).width, Math.ceil(MAX_LABEL_CHARS * 0.6 * 14) + 2);
  t.is(labelMargin(undefined, 56, 2).width, 0);
});

test('more labels than rows is a bug, not a silent crop', (t) => {
  t.throws(() => imageGrid(six(), [6, 8, 8, 1], { columns: 3, rowLabels: ['a', 'b', 'c'] }), { message: /3 row labels for 2 rows/ });
});

test('gridByClass passes class names on as row labels', (t) => {
  const split = { images: six(), shape: [6, 8, 8, 1] as const, labels: new Int32Array([0, 1, 0, 1, 0, 1]) };
  const grid = gridByClass(split, 2, 3, { rowLabels: ['cat', 'dog'] });
  t.deepEqual(
    grid.labels.map((l) => l.text),
    ['cat', 'dog'],
  );
});

test('written grids carry the label text in the margin, and exactly the images elsewhere', async (t) => {
  const dir = tempDir('s3gan-grid-labels-');
  const grid = imageGrid(six(), [6, 8, 8, 1], { columns: 2, scale: 3, padding: 2, background: 0, rowLabels: ['zero', 'one', 'two'] });
  const margin = grid.width - (2 + 2 * (24 + 2));
  const file = path.join(dir, 'grid.png');
  await writeGridPng(file, grid);
  const { data, info } = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  t.like(info, { width: grid.width, height: grid.height, channels: 1 });
  let lit = 0;
  let changed = 0;
  for (let i = 0; i < data.length; i++) {
    if (i % grid.width < margin) lit += data[i] > 0 ? 1 : 0;
    else changed += data[i] === grid.pixels[i] ? 0 : 1;
  }
  t.true(lit > 20, `${lit} pixels of text in the margin`);
  t.is(changed, 0, 'the images are untouched by the labels');

  const rgb = imageGrid(new Uint8Array(6 * 64 * 3).fill(90), [6, 8, 8, 3], { columns: 2, background: 255, rowLabels: ['0', '1', '2'] });
  await writeGridPng(path.join(dir, 'rgb.png'), rgb);
  t.like(await sharp(path.join(dir, 'rgb.png')).metadata(), { width: rgb.width, height: rgb.height, channels: 3, hasAlpha: false });
});

test('the extension picks the format: PNG, JPEG, WebP; others are none', async (t) => {
  t.is(gridFormatOf('a/b.png'), 'png');
  t.is(gridFormatOf('b.JPG'), 'jpeg');
  t.is(gridFormatOf('b.jpeg'), 'jpeg');
  t.is(gridFormatOf('b.webp'), 'webp');
  t.is(gridFormatOf('b.gif'), undefined);
  t.is(gridFormatOf('b'), undefined);
  const dir = tempDir('s3gan-grid-formats-');
  const grid = imageGrid(six(), [6, 8, 8, 1], { columns: 2, rowLabels: ['a', 'b', 'c'] });
  await writeGridImage(path.join(dir, 'g.jpg'), grid, 'jpeg');
  await writeGridImage(path.join(dir, 'g.webp'), grid, 'webp');
  t.deepEqual([...readFileSync(path.join(dir, 'g.jpg')).subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG bytes');
  t.is(readFileSync(path.join(dir, 'g.webp')).subarray(8, 12).toString('latin1'), 'WEBP');
  t.like(await sharp(path.join(dir, 'g.jpg')).metadata(), { format: 'jpeg', width: grid.width, height: grid.height });
  t.like(await sharp(path.join(dir, 'g.webp')).metadata(), { format: 'webp', width: grid.width, height: grid.height });
});
