import test from 'ava';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';
import { gridByClass, imageGrid, writeGridPng } from '../../src/artifacts/image-grid.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir as makeTempDir } from '../temp.js';

const B = 200; // background in these tests, unlike any image pixel

/** Four 2×2 grey images; image k holds 10(k+1) + (2y + x) at (y, x). */
const FOUR = new Uint8Array([10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33, 40, 41, 42, 43]);

function rows(grid: { pixels: Uint8Array; width: number }): number[][] {
  const out: number[][] = [];
  for (let y = 0; y < grid.pixels.length / grid.width; y++) out.push([...grid.pixels.subarray(y * grid.width, (y + 1) * grid.width)]);
  return out;
}

test('imageGrid places images row-major with padding around and between', (t) => {
  const grid = imageGrid(FOUR, [4, 2, 2, 1], { columns: 3, padding: 1, background: B });
  t.is(grid.width, 1 + 3 * (2 + 1));
  t.is(grid.height, 1 + 2 * (2 + 1));
  t.is(grid.channels, 1);
  t.deepEqual(rows(grid), [
    [B, B, B, B, B, B, B, B, B, B],
    [B, 10, 11, B, 20, 21, B, 30, 31, B],
    [B, 12, 13, B, 22, 23, B, 32, 33, B],
    [B, B, B, B, B, B, B, B, B, B],
    [B, 40, 41, B, B, B, B, B, B, B], // cells after the last image stay background
    [B, 42, 43, B, B, B, B, B, B, B],
    [B, B, B, B, B, B, B, B, B, B],
  ]);
});

test('imageGrid defaults: padding 2, background 0, scale 1', (t) => {
  const grid = imageGrid(FOUR.subarray(0, 4), [1, 2, 2, 1], { columns: 1 });
  t.deepEqual(rows(grid), [
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 10, 11, 0, 0],
    [0, 0, 12, 13, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
  ]);
});

test('imageGrid scale enlarges by nearest neighbour; padding is not scaled', (t) => {
  const grid = imageGrid(FOUR.subarray(0, 8), [2, 2, 2, 1], { columns: 2, scale: 2, padding: 1, background: B });
  t.deepEqual(rows(grid), [
    [B, B, B, B, B, B, B, B, B, B, B],
    [B, 10, 10, 11, 11, B, 20, 20, 21, 21, B],
    [B, 10, 10, 11, 11, B, 20, 20, 21, 21, B],
    [B, 12, 12, 13, 13, B, 22, 22, 23, 23, B],
    [B, 12, 12, 13, 13, B, 22, 22, 23, 23, B],
    [B, B, B, B, B, B, B, B, B, B, B],
  ]);
});

test('imageGrid keeps RGB channels interleaved', (t) => {
  // One 1×2 RGB image: red, blue.
  const grid = imageGrid(new Uint8Array([255, 0, 0, 0, 0, 255]), [1, 1, 2, 3], { columns: 1, padding: 1, background: 7 });
  t.is(grid.width, 4);
  t.is(grid.height, 3);
  t.is(grid.channels, 3);
  t.deepEqual([...grid.pixels.subarray(4 * 3, 8 * 3)], [7, 7, 7, 255, 0, 0, 0, 0, 255, 7, 7, 7]);
});

test('imageGrid rejects inconsistent input', (t) => {
  t.throws(() => imageGrid(FOUR, [3, 2, 2, 1], { columns: 2 }), { message: /16 bytes, shape \[3, 2, 2, 1\] needs 12/ });
  t.throws(() => imageGrid(FOUR, [2, 2, 2, 2], { columns: 2 }), { message: /1 or 3 channels/ });
  t.throws(() => imageGrid(FOUR, [4, 2, 2, 1], { columns: 0 }), { message: /columns/ });
  t.throws(() => imageGrid(FOUR, [4, 2, 2, 1], { columns: 2, scale: 1.5 }), { message: /scale/ });
  t.throws(() => imageGrid(FOUR, [4, 2, 2, 1], { columns: 2, background: 256 }), { message: /background/ });
});

test('gridByClass: one row per class, first images in order, unlabelled skipped, missing ones background', (t) => {
  // Image k: label. Class 0 has images 1, 2 (and 4, beyond perClass); class 1 only image 3; image 0 is unlabelled.
  const five = new Uint8Array([...FOUR, 50, 51, 52, 53]);
  const split = { images: five, shape: [5, 2, 2, 1] as const, labels: new Int32Array([-1, 0, 0, 1, 0]) };
  const grid = gridByClass(split, 2, 2, { padding: 1, background: B });
  t.deepEqual(rows(grid), [
    [B, B, B, B, B, B, B],
    [B, 20, 21, B, 30, 31, B],
    [B, 22, 23, B, 32, 33, B],
    [B, B, B, B, B, B, B],
    [B, 40, 41, B, B, B, B],
    [B, 42, 43, B, B, B, B],
    [B, B, B, B, B, B, B],
  ]);
});

test('gridByClass with an rng picks a reproducible random choice within each class', (t) => {
  const n = 40;
  const images = new Uint8Array(n).map((_, i) => i); // 1×1 images, pixel = index
  const labels = new Int32Array(n).map((_, i) => i % 2);
  const split = { images, shape: [n, 1, 1, 1] as const, labels };
  const a = gridByClass(split, 2, 3, { padding: 0, rng: new Rng(7) });
  const b = gridByClass(split, 2, 3, { padding: 0, rng: new Rng(7) });
  t.deepEqual(a.pixels, b.pixels);
  const [row0, row1] = rows(a);
  t.true(row0.every((v) => v % 2 === 0));
  t.true(row1.every((v) => v % 2 === 1));
  t.is(new Set(row0).size, 3);
  t.notDeepEqual(row0, [0, 2, 4]);
});

test('gridByClass rejects labels beyond classCount', (t) => {
  const split = { images: FOUR, shape: [4, 2, 2, 1] as const, labels: new Int32Array([0, 1, 2, 0]) };
  t.throws(() => gridByClass(split, 2, 1), { message: /image 2 has label 2, but there are 2 classes/ });
});

test('writeGridPng writes a PNG sharp reads back with the same size, channels and pixels', async (t) => {
  const dir = makeTempDir('s3gan-grid-');
  const grey = imageGrid(FOUR, [4, 2, 2, 1], { columns: 2, padding: 1, background: B });
  const greyFile = path.join(dir, 'grey.png');
  await writeGridPng(greyFile, grey);
  const greyMeta = await sharp(greyFile).metadata();
  t.like(greyMeta, { format: 'png', width: 7, height: 7, channels: 1 });
  // sharp decodes to sRGB unless told to keep the single grey channel.
  const { data, info } = await sharp(greyFile).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  t.is(info.channels, 1);
  t.deepEqual([...data], [...grey.pixels]);

  const rgb = imageGrid(new Uint8Array([255, 0, 0, 0, 0, 255]), [2, 1, 1, 3], { columns: 2, scale: 3, padding: 2 });
  const rgbFile = path.join(dir, 'rgb.png');
  await writeGridPng(rgbFile, rgb);
  t.like(await sharp(rgbFile).metadata(), { format: 'png', width: 2 + 2 * (3 + 2), height: 2 + 3 + 2, channels: 3 });
  const back = await sharp(rgbFile).raw().toBuffer();
  t.deepEqual([...back], [...rgb.pixels]);
  t.deepEqual((await fs.readdir(dir)).sort(), ['grey.png', 'rgb.png']);
});
