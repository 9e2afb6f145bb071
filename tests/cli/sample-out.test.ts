import test from 'ava';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { dirSnapshot, s3gan, tempDir, TINY_NETWORKS } from './helpers.js';

/** A tiny conditional GAN on MNIST resized to 8×8 (as in train.test.ts); its one grid at step 1. */
const TINY = [
  ...TINY_NETWORKS,
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
    t.regex(
      result.stderr,
      new RegExp(`--out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (unknown extension '\\.gif'|no file extension); the format follows the extension: \\.png, \\.jpg, \\.jpeg, \\.webp \\(a grid\\), \\.npy \\(an array\\), or a trailing / \\(a folder of PNGs\\)`, 'm'),
    );
    t.false(existsSync(out));
  }
  t.deepEqual(dirSnapshot(run), before);
  const help = s3gan(['sample', '--help']);
  t.regex(help.stdout.replace(/\s+/g, ' '), /a grid image by its extension \(\.png, \.jpg\/\.jpeg or \.webp\); an array file \(\.npy: uint8 \[n, height, width, channels\]\); or a folder of PNGs/);
  t.regex(help.stdout, /labelled with their names/);
});

/** The header dict and the data of a .npy file (format 1.0), as numpy.load reads them. */
function readNpy(file: string): { header: string; headerBytes: number; data: Uint8Array } {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 6).toString('latin1') !== '\x93NUMPY' || bytes[6] !== 1 || bytes[7] !== 0) throw new Error(`${file}: not a .npy 1.0 file`);
  const length = bytes.readUInt16LE(8);
  return { header: bytes.subarray(10, 10 + length).toString('latin1'), headerBytes: 10 + length, data: bytes.subarray(10 + length) };
}

test('s3gan sample writes n images as a .npy array (uint8 NHWC) and as a folder of PNGs with labels.csv, the same pixels in both', async (t) => {
  t.is(trained.code, 0, trained.stderr);
  const npy = path.join(run, 'samples.npy');
  const asArray = s3gan(['sample', '--run', run, '-n', '12', '--seed', '3', '--out', npy, '--set', 'backend.name=cpu']);
  t.is(asArray.code, 0, asArray.stderr);
  const { header, headerBytes, data } = readNpy(npy);
  t.regex(header, /^\{'descr': '\|u1', 'fortran_order': False, 'shape': \(12, 8, 8, 1\), \} *\n$/);
  t.is(headerBytes % 64, 0, 'the data starts aligned, as numpy writes it');
  t.is(data.length, 12 * 8 * 8);

  const dir = path.join(run, 'samples');
  const asFolder = s3gan(['sample', '--run', run, '-n', '12', '--seed', '3', '--out', `${dir}/`, '--set', 'backend.name=cpu']);
  t.is(asFolder.code, 0, asFolder.stderr);
  const names = readdirSync(dir).sort();
  t.deepEqual(names, [...Array.from({ length: 12 }, (_, i) => `${String(i).padStart(6, '0')}.png`), 'labels.csv']);
  // The classes in turn: image i is class i mod 10, named as the run's classes are.
  const csv = readFileSync(path.join(dir, 'labels.csv'), 'utf8').trim().split('\n');
  t.deepEqual(csv, ['file,label', ...Array.from({ length: 12 }, (_, i) => `${String(i).padStart(6, '0')}.png,${i % 10}`)]);
  for (let i = 0; i < 12; i++) {
    const file = path.join(dir, names[i]);
    t.like(await sharp(file).metadata(), { format: 'png', width: 8, height: 8, channels: 1 }, 'grey images stay grey');
    const { data: png } = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    t.deepEqual([...png], [...data.subarray(i * 64, (i + 1) * 64)], `image ${i}: the PNG holds the array's pixels`);
  }
});

test('a folder --out that is not empty, or --scale with a file output, is refused before anything is written', (t) => {
  t.is(trained.code, 0, trained.stderr);
  const full = path.join(run, 'full');
  mkdirSync(full, { recursive: true });
  writeFileSync(path.join(full, 'keep.txt'), 'mine');
  const before = dirSnapshot(run);
  const notEmpty = s3gan(['sample', '--run', run, '-n', '4', '--out', `${full}/`, '--set', 'backend.name=cpu']);
  t.is(notEmpty.code, 2);
  t.regex(notEmpty.stderr, /--out .*full\/: the folder exists and is not empty \(1 entries\); choose a new or empty folder/);
  // An existing folder is a folder output without the trailing slash too.
  t.is(s3gan(['sample', '--run', run, '-n', '4', '--out', full, '--set', 'backend.name=cpu']).code, 2);
  const scaled = s3gan(['sample', '--run', run, '-n', '4', '--scale', '3', '--out', path.join(run, 'x.npy'), '--set', 'backend.name=cpu']);
  t.is(scaled.code, 2);
  t.regex(scaled.stderr, /--scale applies to grid images only, not to --out .*x\.npy/);
  t.deepEqual(dirSnapshot(run), before);
});
