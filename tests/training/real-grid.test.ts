import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import sharp from 'sharp';
import { UNLABELLED, type ImageSplit } from '../../src/data/types.js';
import { realGridIndices, writeRealGrid } from '../../src/training/gan/real-grid.js';
import { tempDir } from '../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** 30 images of 4×4: image i is filled with grey level 8·i, true class i mod 3. */
function split(): ImageSplit {
  const count = 30;
  return {
    images: Uint8Array.from({ length: count * 16 }, (_, j) => 8 * Math.floor(j / 16)),
    shape: [count, 4, 4, 1],
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
    ids: Array.from({ length: count }, (_, i) => `img${i}`),
  };
}

test('rows hold the labels the GAN trains on (not the true ones), drawn only from its pool', (t) => {
  const data = split();
  // Pseudo-labels: everything labelled 2 except the first five images (labelled 0); one unlabelled.
  const labels = Int32Array.from({ length: 30 }, (_, i) => (i < 5 ? 0 : i === 29 ? UNLABELLED : 2));
  const pool = Int32Array.from([...Array.from({ length: 25 }, (_, i) => i + 5), 0, 1]);
  const rows = realGridIndices({ split: data, labels, pool, numClasses: 3, imageSize: 4, fit: 'resize', seed: 1, perRow: 4 });
  t.is(rows.length, 3);
  t.deepEqual([...rows[0]].filter((i) => i >= 0).sort(), [0, 1], 'only the pooled images labelled 0');
  t.deepEqual([...rows[1]], [-1, -1, -1, -1], 'no image carries label 1');
  t.true([...rows[2]].every((i) => i >= 5 && i < 29 && labels[i] === 2));
  t.deepEqual(realGridIndices({ split: data, labels, pool, numClasses: 3, imageSize: 4, fit: 'resize', seed: 1, perRow: 4 }), rows, 'reproducible from the seed');
});

test('the grid is written as PNG, one row per class, and leaves the tensor count unchanged', async (t) => {
  const data = split();
  const file = path.join(tempDir('s3gan-real-grid-'), 'real.png');
  const before = tf.memory().numTensors;
  await writeRealGrid(file, { split: data, labels: data.labels, numClasses: 3, classNames: ['a', 'b', 'c'], imageSize: 4, fit: 'resize', seed: 0, perRow: 5, scale: 1 });
  t.is(tf.memory().numTensors, before);
  const meta = await sharp(file).metadata();
  t.is(meta.height, 3 * 4 + 4 * 2, '3 rows of 4-pixel images with 2 pixels of padding');
  const unconditional = path.join(path.dirname(file), 'plain.png');
  await writeRealGrid(unconditional, { split: data, labels: new Int32Array(30).fill(UNLABELLED), numClasses: 0, imageSize: 4, fit: 'resize', seed: 0, perRow: 5, rows: 2, scale: 1 });
  t.is((await sharp(unconditional).metadata()).height, 2 * 4 + 3 * 2);
});
