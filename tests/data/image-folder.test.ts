import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { listImages, readImageFolder, type ImageFolderOptions } from '../../src/data/image-folder.js';
import { UNLABELLED } from '../../src/data/types.js';
import { UserError } from '../../src/util/errors.js';

type Rgb = readonly [number, number, number];
const RED: Rgb = [255, 0, 0];
const BLUE: Rgb = [0, 0, 255];
const GREY: Rgb = [100, 100, 100];

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3gan-folder-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a solid-colour image; the format follows the extension. */
async function solid(file: string, width: number, height: number, [r, g, b]: Rgb): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const image = sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
  const ext = path.extname(file).toLowerCase();
  const encoded = ext === '.png' ? image.png() : ext === '.webp' ? image.webp({ lossless: true }) : image.jpeg({ quality: 100 });
  await encoded.toFile(file);
}

function options(root: string, extra: Partial<ImageFolderOptions> = {}): ImageFolderOptions {
  return { path: root, imageSize: 8, channels: 3, skipCorrupt: false, ...extra };
}

/** RGB (or grey) value at pixel (y, x) of image n of an NHWC buffer of 8×8 images. */
function px(images: Uint8Array, n: number, y: number, x: number, channels = 3): number[] {
  const at = ((n * 8 + y) * 8 + x) * channels;
  return [...images.subarray(at, at + channels)];
}

function near(t: { true: (v: boolean, m?: string) => void }, actual: number[], expected: readonly number[], tolerance: number) {
  t.true(actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance), `${actual.join(',')} ≉ ${expected.join(',')}`);
}

/** cats: a.png 40×30 red, B.JPG 50×50 red; dogs: c.webp 20×64 blue, sub/d.png 9×9 grey. */
async function classFolders(root: string): Promise<void> {
  await solid(path.join(root, 'cats', 'a.png'), 40, 30, RED);
  await solid(path.join(root, 'cats', 'B.JPG'), 50, 50, RED);
  await solid(path.join(root, 'dogs', 'c.webp'), 20, 64, BLUE);
  await solid(path.join(root, 'dogs', 'sub', 'd.png'), 9, 9, GREY);
  await writeFile(path.join(root, 'dogs', 'notes.txt'), 'not an image');
  await writeFile(path.join(root, '.hidden.png'), 'hidden files are ignored');
}

test('class subfolders: every image labelled by its folder, resized, ids sorted', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  const data = await readImageFolder(options(root));
  t.is(data.name, 'image-folder');
  t.deepEqual(data.classNames, ['cats', 'dogs']);
  t.deepEqual(data.train.ids, ['cats/B.JPG', 'cats/a.png', 'dogs/c.webp', 'dogs/sub/d.png']);
  t.deepEqual([...data.train.labels], [0, 0, 1, 1]);
  t.deepEqual(data.train.shape, [4, 8, 8, 3]);
  t.is(data.test, undefined);
  t.deepEqual(data.skipped, []);
  near(t, px(data.train.images, 0, 3, 3), RED, 3); // JPEG: nearly exact at quality 100
  t.deepEqual(px(data.train.images, 1, 0, 0), [...RED]);
  t.deepEqual(px(data.train.images, 1, 7, 7), [...RED]);
  t.deepEqual(px(data.train.images, 2, 4, 4), [...BLUE]);
  t.deepEqual(px(data.train.images, 3, 7, 0), [...GREY]);
});

test('grayscale: one channel per pixel', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  const data = await readImageFolder(options(root, { channels: 1 }));
  t.deepEqual(data.train.shape, [4, 8, 8, 1]);
  t.is(data.train.images.length, 4 * 64);
  near(t, px(data.train.images, 3, 2, 2, 1), [100], 1);
  // libvips converts through linear light: pure red has luminance 0.2126, which sRGB encodes as 127.
  near(t, px(data.train.images, 1, 0, 0, 1), [127], 2);
});

test('a wide image is centre-cropped, not squashed', async (t) => {
  const root = await tempDir(t);
  // 40×20: left half red, right half blue; the centre square spans x 10..29, half of each.
  const pixels = new Uint8Array(40 * 20 * 3);
  for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) pixels.set(x < 20 ? RED : BLUE, (y * 40 + x) * 3);
  await mkdir(path.join(root, 'only'));
  await sharp(pixels, { raw: { width: 40, height: 20, channels: 3 } }).png().toFile(path.join(root, 'only', 'wide.png'));
  const data = await readImageFolder(options(root));
  t.deepEqual(px(data.train.images, 0, 4, 0), [...RED]);
  t.deepEqual(px(data.train.images, 0, 4, 7), [...BLUE]);
});

test('data.classNames fixes the label order and may name classes without a folder', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  const data = await readImageFolder(options(root, { classNames: ['dogs', 'birds', 'cats'] }));
  t.deepEqual([...data.train.labels], [2, 2, 0, 0]);
});

test('a folder missing from data.classNames is an error naming it, with a suggestion', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  const error = await t.throwsAsync(readImageFolder(options(root, { classNames: ['cat', 'dogs'] })), { instanceOf: UserError });
  t.true(error.message.startsWith(`${path.join(root, 'cats')}: folder 'cats' is not one of data.classNames (did you mean 'cat'?)`), error.message);
});

test('an image outside any class folder is an error when there is no label file', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  await solid(path.join(root, 'loose.png'), 4, 4, RED);
  await t.throwsAsync(readImageFolder(options(root)), { instanceOf: UserError, message: /loose\.png is not in a class subfolder/ });
});

/** A flat folder: a.png red, b.png blue, c.jpeg grey, d.webp red. */
async function flatFolder(root: string): Promise<void> {
  await solid(path.join(root, 'a.png'), 10, 10, RED);
  await solid(path.join(root, 'b.png'), 12, 8, BLUE);
  await solid(path.join(root, 'c.jpeg'), 16, 16, GREY);
  await solid(path.join(root, 'd.webp'), 8, 8, RED);
}

test('flat folder + CSV: listed images labelled, the others unlabelled', async (t) => {
  const root = await tempDir(t);
  await flatFolder(root);
  const labels = path.join(root, 'labels.csv');
  await writeFile(labels, 'file,label\r\na.png,red\r\n"c.jpeg",grey\r\n\r\n');
  const data = await readImageFolder(options(root, { labelFile: labels }));
  t.deepEqual(data.classNames, ['grey', 'red']);
  t.deepEqual(data.train.ids, ['a.png', 'b.png', 'c.jpeg', 'd.webp']);
  t.deepEqual([...data.train.labels], [1, UNLABELLED, 0, UNLABELLED]);
});

test('flat folder + JSON object', async (t) => {
  const root = await tempDir(t);
  await flatFolder(root);
  const labels = path.join(root, 'labels.json');
  await writeFile(labels, JSON.stringify({ 'b.png': 'blue', 'd.webp': 'red' }));
  const data = await readImageFolder(options(root, { labelFile: labels }));
  t.deepEqual(data.classNames, ['blue', 'red']);
  t.deepEqual([...data.train.labels], [UNLABELLED, 0, UNLABELLED, 1]);
});

test('flat folder + JSON with "classes" fixing the order', async (t) => {
  const root = await tempDir(t);
  await flatFolder(root);
  const labels = path.join(root, 'labels.json');
  await writeFile(labels, JSON.stringify({ classes: ['red', 'blue', 'green'], labels: { 'a.png': 'red', 'b.png': 'blue' } }));
  const data = await readImageFolder(options(root, { labelFile: labels }));
  t.deepEqual(data.classNames, ['red', 'blue', 'green']);
  t.deepEqual([...data.train.labels], [0, 1, UNLABELLED, UNLABELLED]);
});

test('a label file row naming a missing image names the file, the line and the image', async (t) => {
  const root = await tempDir(t);
  await flatFolder(root);
  const labels = path.join(root, 'labels.csv');
  await writeFile(labels, 'file,label\na.png,red\nz.png,blue\n');
  await t.throwsAsync(readImageFolder(options(root, { labelFile: labels })), {
    instanceOf: UserError,
    message: `${labels}, line 3: image 'z.png' does not exist in ${root} (did you mean 'a.png'?)`,
  });
});

test('an unknown class in a CSV names the file, the line and the class, with a suggestion', async (t) => {
  const root = await tempDir(t);
  await flatFolder(root);
  const labels = path.join(root, 'labels.csv');
  await writeFile(labels, 'file,label\na.png,red\nb.png,bleu\n');
  await t.throwsAsync(readImageFolder(options(root, { labelFile: labels, classNames: ['red', 'blue'] })), {
    instanceOf: UserError,
    message: `${labels}, line 3: unknown class 'bleu' (did you mean 'blue'?); classes: red, blue`,
  });
});

test('an unknown class in a JSON label file names its line', async (t) => {
  const root = await tempDir(t);
  await flatFolder(root);
  const labels = path.join(root, 'labels.json');
  const text = JSON.stringify({ classes: ['red', 'blue'], labels: { 'a.png': 'red', 'd.webp': 'rad' } }, null, 2);
  await writeFile(labels, text);
  const line = text.split('\n').findIndex((l) => l.includes('d.webp')) + 1;
  await t.throwsAsync(readImageFolder(options(root, { labelFile: labels })), {
    instanceOf: UserError,
    message: `${labels}, line ${line}: unknown class 'rad' (did you mean 'red'?); classes: red, blue`,
  });
});

test('a CSV without the file,label header is rejected at line 1', async (t) => {
  const root = await tempDir(t);
  await flatFolder(root);
  const labels = path.join(root, 'labels.csv');
  await writeFile(labels, 'a.png,red\n');
  await t.throwsAsync(readImageFolder(options(root, { labelFile: labels })), { instanceOf: UserError, message: /labels\.csv, line 1: expected the header "file,label"/ });
});

/** Adds x.png (random bytes) and y.png (a PNG cut in half) to a class folder. */
async function corruptFiles(root: string): Promise<{ random: string; truncated: string }> {
  const random = path.join(root, 'cats', 'x.png');
  const truncated = path.join(root, 'dogs', 'y.png');
  const noise = new Uint8Array(3000);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
  await writeFile(random, noise);
  await solid(truncated, 30, 30, BLUE);
  const bytes = await readFile(truncated);
  await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  return { random, truncated };
}

test('a corrupt image is a UserError naming it', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  const { random } = await corruptFiles(root);
  const error = await t.throwsAsync(readImageFolder(options(root)), { instanceOf: UserError });
  t.true(error.message.startsWith(`${random}: cannot decode image: `), error.message);
});

test('a truncated PNG is a UserError naming it', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  const { random, truncated } = await corruptFiles(root);
  await rm(random);
  const error = await t.throwsAsync(readImageFolder(options(root)), { instanceOf: UserError });
  t.true(error.message.startsWith(`${truncated}: cannot decode image: `), error.message);
});

test('with skipCorrupt, corrupt images are left out and listed', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  const { random, truncated } = await corruptFiles(root);
  const progress: number[] = [];
  const data = await readImageFolder(options(root, { skipCorrupt: true }), (done, total) => {
    t.is(total, 6);
    progress.push(done);
  });
  t.deepEqual(data.skipped, [random, truncated]);
  t.deepEqual(data.train.ids, ['cats/B.JPG', 'cats/a.png', 'dogs/c.webp', 'dogs/sub/d.png']);
  t.deepEqual(data.train.shape, [4, 8, 8, 3]);
  t.deepEqual(px(data.train.images, 2, 0, 0), [...BLUE]); // shifted past the skipped x.png
  t.deepEqual(px(data.train.images, 3, 0, 0), [...GREY]);
  t.deepEqual(progress.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
});

test('listImages walks subfolders, skips hidden entries and other files', async (t) => {
  const root = await tempDir(t);
  await classFolders(root);
  t.deepEqual(await listImages(root), ['cats/B.JPG', 'cats/a.png', 'dogs/c.webp', 'dogs/sub/d.png']);
});

test('a missing or empty folder is a UserError naming data.path', async (t) => {
  const root = await tempDir(t);
  await t.throwsAsync(readImageFolder(options(root)), { instanceOf: UserError, message: /data\.path: no images/ });
  await t.throwsAsync(readImageFolder(options(path.join(root, 'nope'))), { instanceOf: UserError, message: /data\.path: image folder .*nope cannot be read/ });
});
