import test from 'ava';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { cacheDirFor, loadThroughCache, type CacheSpec, type CacheStatus } from '../../src/data/decode-cache.js';
import type { DatasetOptions } from '../../src/data/options.js';
import { loadDataset, readDatasetUncached } from '../../src/data/registry.js';
import type { Dataset } from '../../src/data/types.js';

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `s3gan-${prefix}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function solid(file: string, size: number, value: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await sharp({ create: { width: size, height: size, channels: 3, background: { r: value, g: value, b: value } } })
    .png()
    .toFile(file);
}

/** An image folder of 3 grey squares in 2 classes, and options loading it with a private cache. */
async function folderFixture(t: { teardown: (fn: () => Promise<void>) => void }) {
  const root = await tempDir(t, 'cache-src');
  const cacheDir = await tempDir(t, 'cache');
  await solid(path.join(root, 'a', '1.png'), 12, 10);
  await solid(path.join(root, 'a', '2.png'), 12, 20);
  await solid(path.join(root, 'b', '3.png'), 12, 30);
  const options: DatasetOptions = { name: 'image-folder', path: root, imageSize: 4, channels: 3, cacheDir, skipCorrupt: false };
  return { root, cacheDir, options };
}

/** Loads through the cache and says what the cache held. */
async function load(options: DatasetOptions): Promise<{ data: Dataset; status: CacheStatus; dir: string }> {
  let status: CacheStatus | undefined;
  let dir = '';
  const data = await loadDataset(options, {
    onCache: (s, d) => {
      status = s;
      dir = d;
    },
  });
  if (status === undefined) throw new Error('onCache was not called');
  return { data, status, dir };
}

/** Byte-for-byte equality of typed arrays (ava's deep comparison is too slow for 47 MB). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sameDataset(t: { deepEqual: <T>(a: T, b: T, m?: string) => void; true: (v: boolean, m?: string) => void }, a: Dataset, b: Dataset): void {
  t.deepEqual(a.classNames, b.classNames);
  t.deepEqual(a.skipped, b.skipped);
  const splits = [[a.train, b.train, 'train'], [a.test, b.test, 'test']] as const;
  for (const [x, y, name] of splits) {
    t.deepEqual(x?.shape, y?.shape, `${name} shape`);
    if (x === undefined || y === undefined) continue;
    t.true(x.ids.join('\n') === y.ids.join('\n'), `${name} ids`);
    t.true(sameBytes(x.labels, y.labels), `${name} labels`);
    t.true(sameBytes(x.images, y.images), `${name} pixels`);
  }
}

test('the second load of an image folder comes from the cache, identical', async (t) => {
  const { options } = await folderFixture(t);
  const first = await load(options);
  t.is(first.status, 'missing');
  const second = await load(options);
  t.is(second.status, 'hit');
  t.is(second.dir, first.dir);
  sameDataset(t, second.data, first.data);
  t.deepEqual([...second.data.train.images.subarray(0, 3)], [10, 10, 10]);
  t.deepEqual(await readdir(first.dir).then((f) => f.sort()), ['images.bin', 'index.json']);
});

test('a cache hit does not call the reader', async (t) => {
  const cacheDir = await tempDir(t, 'cache');
  const root = await tempDir(t, 'cache-src');
  const source = path.join(root, 'source.bin');
  await writeFile(source, 'x');
  const spec: CacheSpec = { cacheDir, key: { reader: 'fake', path: root }, root, files: [source] };
  let builds = 0;
  const build = async (): Promise<Dataset> => {
    builds++;
    return {
      name: 'fake',
      classNames: ['only'],
      train: { images: Uint8Array.from([1, 2, 3, 4]), shape: [1, 2, 2, 1], labels: Int32Array.from([0]), ids: ['x'] },
      test: { images: Uint8Array.from([5, 6, 7, 8]), shape: [1, 2, 2, 1], labels: Int32Array.from([-1]), ids: ['y'] },
      source: root,
    };
  };
  await loadThroughCache(spec, build);
  const cached = await loadThroughCache(spec, build);
  t.is(builds, 1);
  t.deepEqual([...cached.train.images], [1, 2, 3, 4]);
  t.deepEqual([...cached.test!.images], [5, 6, 7, 8]);
  t.deepEqual([...cached.test!.labels], [-1]);
});

test('touching a source file invalidates the cache', async (t) => {
  const { root, options } = await folderFixture(t);
  await load(options);
  const file = path.join(root, 'a', '2.png');
  const later = new Date((await stat(file)).mtimeMs + 5000);
  await utimes(file, later, later);
  t.is((await load(options)).status, 'stale');
  t.is((await load(options)).status, 'hit');
});

test('a modified image is decoded again', async (t) => {
  const { root, options } = await folderFixture(t);
  await load(options);
  await solid(path.join(root, 'b', '3.png'), 12, 200); // same size: only the contents and mtime change
  const after = await load(options);
  t.is(after.status, 'stale');
  t.deepEqual([...after.data.train.images.subarray(2 * 48, 2 * 48 + 3)], [200, 200, 200]);
});

test('an added image invalidates the cache', async (t) => {
  const { root, options } = await folderFixture(t);
  await load(options);
  await solid(path.join(root, 'b', '4.png'), 8, 40);
  const after = await load(options);
  t.is(after.status, 'stale');
  t.is(after.data.train.shape[0], 4);
});

test('other decoding options use another cache', async (t) => {
  const { options } = await folderFixture(t);
  const small = await load(options);
  const large = await load({ ...options, imageSize: 6 });
  t.is(large.status, 'missing');
  t.not(large.dir, small.dir);
  t.deepEqual(large.data.train.shape, [3, 6, 6, 3]);
  t.is((await load({ ...options, channels: 1 })).status, 'missing');
  t.is(cacheDirFor(options.cacheDir, { reader: 'x', a: 1 }), cacheDirFor(options.cacheDir, { reader: 'x', a: 1 }));
});

test('a truncated cache binary is rebuilt, never trusted', async (t) => {
  const { options } = await folderFixture(t);
  const first = await load(options);
  const binary = path.join(first.dir, 'images.bin');
  await truncate(binary, 20);
  const second = await load(options);
  t.is(second.status, 'corrupt');
  sameDataset(t, second.data, first.data);
  t.is((await stat(binary)).size, 3 * 4 * 4 * 3);
  t.is((await load(options)).status, 'hit');
});

test('a cache binary with the right length but other bytes is rebuilt', async (t) => {
  const { options } = await folderFixture(t);
  const first = await load(options);
  const binary = path.join(first.dir, 'images.bin');
  const bytes = await readFile(binary);
  bytes[5] ^= 0xff;
  await writeFile(binary, bytes);
  const second = await load(options);
  t.is(second.status, 'corrupt');
  sameDataset(t, second.data, first.data);
});

test('an unreadable index is rebuilt', async (t) => {
  const { options } = await folderFixture(t);
  const first = await load(options);
  await writeFile(path.join(first.dir, 'index.json'), '{"format": 1, "finger');
  t.is((await load(options)).status, 'corrupt');
  t.is((await load(options)).status, 'hit');
});

test('skipped files are remembered by the cache', async (t) => {
  const { root, options } = await folderFixture(t);
  const broken = path.join(root, 'b', 'broken.png');
  await writeFile(broken, 'not a png');
  const first = await load({ ...options, skipCorrupt: true });
  const second = await load({ ...options, skipCorrupt: true });
  t.is(second.status, 'hit');
  t.deepEqual(first.data.skipped, [broken]);
  t.deepEqual(second.data.skipped, [broken]);
});

const fixedDatasets = [
  { name: 'mnist', train: 60000 },
  { name: 'fashion-mnist', train: 60000 },
] as const;

for (const { name, train } of fixedDatasets) {
  test(`${name}: the cache holds the same dataset and loads warm quickly`, async (t) => {
    const cacheDir = await tempDir(t, `cache-${name}`);
    const options: DatasetOptions = { name, imageSize: 28, channels: 1, cacheDir, skipCorrupt: false };
    let start = performance.now();
    const cold = await load(options);
    const coldMs = performance.now() - start;
    start = performance.now();
    const warm = await load(options);
    const warmMs = performance.now() - start;
    t.log(`${name}: cold ${coldMs.toFixed(0)} ms, warm ${warmMs.toFixed(0)} ms`);
    t.is(cold.status, 'missing');
    t.is(warm.status, 'hit');
    t.is(warm.data.train.shape[0], train);
    sameDataset(t, warm.data, await readDatasetUncached(options));
    t.true(warmMs < 2000, `warm load took ${warmMs.toFixed(0)} ms`);
  });
}
