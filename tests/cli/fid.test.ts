import test from 'ava';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { readMnist } from '../../src/data/mnist.js';
import type { ImageSplit } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';
import { s3gan, tempDir } from './helpers.js';
import { writeMnistSubset } from './mnist-idx.js';

const root = tempDir('s3gan-cli-fid-');
/** An MNIST subset (400 training, 200 test images): scored by the shipped MNIST network. */
const mnistDir = writeMnistSubset(path.join(root, 'mnist-small'), { train: 400, test: 200 });
/** 8×8 input; a classifier small enough for tests where one is trained (eval.network=trained). */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', `data.path=${mnistDir}`,
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'eval.classifierWidth=2',
  '--set', 'eval.classifierEpochs=1',
];

/** Writes images [start, start + count) of a 28×28 grey split as PNGs into a new folder `dir`. */
async function writePngs(dir: string, split: Pick<ImageSplit, 'images'>, start: number, count: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const pixels = split.images.subarray((start + i) * 784, (start + i + 1) * 784);
    await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(dir, `${String(i).padStart(4, '0')}.png`));
  }
  return dir;
}

const folders = (async () => {
  const mnist = await readMnist();
  const test = mnist.test as ImageSplit;
  const rng = new Rng(9);
  const noise = { images: Uint8Array.from({ length: 300 * 784 }, () => rng.int(256)) };
  return {
    // The 200 images of the test split of mnistDir, and 300 other test and training images.
    split: await writePngs(path.join(root, 'test-200'), test, 0, 200),
    test: await writePngs(path.join(root, 'test-300'), test, 1000, 300),
    train: await writePngs(path.join(root, 'train-300'), mnist.train, 1000, 300),
    noise: await writePngs(path.join(root, 'noise-300'), noise, 0, 300),
  };
})();

interface Scores {
  a: { set: string; images: number };
  b: { set: string; images: number };
  dataset: string;
  extractor: { kind: string };
  metrics: { metric: string; value: number; std?: number; details?: Record<string, unknown> }[];
}

/** `s3gan fid A B --json`, its exit code checked, its scores by metric name. */
function fid(t: { is(a: unknown, b: unknown, m?: string): void }, a: string, b: string, extra: readonly string[] = []): { scores: Scores; by: (name: string) => Scores['metrics'][number]; stderr: string } {
  const result = s3gan(['fid', a, b, '--json', ...TINY, ...extra]);
  t.is(result.code, 0, result.stderr);
  const scores = JSON.parse(result.stdout) as Scores;
  return { scores, by: (name) => scores.metrics.find((m) => m.metric === name) as Scores['metrics'][number], stderr: result.stderr };
}

test.serial('a folder against itself gives FID ≈ 0; train against test is small next to noise against test', async (t) => {
  const { test: testDir, train, noise } = await folders;
  const self = fid(t, testDir, testDir);
  t.deepEqual(self.scores.metrics.map((m) => m.metric), ['fid', 'kid', 'precision', 'recall']);
  t.like(self.scores, { a: { images: 300 }, b: { images: 300 }, dataset: 'mnist', extractor: { kind: 'domain-classifier' } });
  t.true(Math.abs(self.by('fid').value) < 1e-3, `FID of a folder against itself: ${self.by('fid').value}`);
  t.is(self.by('precision').value, 1);
  t.is(self.by('recall').value, 1);
  // 300 images each and KID subsets of 300: no spread, and a warning saying why.
  t.is(self.by('kid').std, undefined);
  t.regex(self.stderr, /^warning: KID has no spread: each subset of 300 images is the whole of both sets/m);

  const trainTest = fid(t, train, testDir).by('fid').value;
  const noiseTest = fid(t, noise, testDir).by('fid').value;
  t.true(trainTest > 1e-3, `train against test: ${trainTest}`);
  t.true(trainTest < 0.2 * noiseTest, `train against test (${trainTest}) is small next to noise against test (${noiseTest})`);
});

test.serial('a folder against a dataset split: the folder of that split itself gives FID ≈ 0, through the same resizing', async (t) => {
  const { split, noise } = await folders;
  const same = fid(t, split, 'mnist:test');
  t.like(same.scores, { a: { images: 200 }, b: { set: 'mnist:test', images: 200 } });
  t.true(Math.abs(same.by('fid').value) < 1e-3, `FID: ${same.by('fid').value}`);
  const other = fid(t, noise, 'mnist:test', ['--metrics', 'fid,density-coverage']);
  t.deepEqual(other.scores.metrics.map((m) => m.metric), ['fid', 'density', 'coverage']);
  t.true(other.by('fid').value > 100 * Math.max(same.by('fid').value, 1e-6));

  // The table: a heading naming both sets and the extractor, then one row per number.
  const table = s3gan(['fid', split, 'mnist:test', ...TINY]);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^.*test-200 \(200 images\) against mnist:test \(200 images\); extractor mnist-network \(128 features of mnist\)$/m);
  t.regex(table.stdout, /^metric +value +±$/m);
  t.regex(table.stdout, /^fid +[\d.e-]+$/m);
});

test('bad input exits 2 with one line naming it, before anything is loaded or cached', async (t) => {
  const { split } = await folders;
  const empty = path.join(root, 'empty');
  mkdirSync(empty, { recursive: true });
  const cacheHome = path.join(root, 'untouched-cache');
  const cases: [string[], RegExp][] = [
    [[path.join(root, 'missing'), 'mnist:test'], /^s3gan: error: image set .*missing: no such folder \(.*missing\)$/],
    [[empty, 'mnist:test'], /^s3gan: error: image set .*empty: no images \(\.png \.jpg \.jpeg \.webp\) in .*empty$/],
    [[split, 'mnits:test'], /^s3gan: error: image set mnits:test: unknown dataset 'mnits' \(did you mean 'mnist'\?\); known: .* \(write \.\/mnits:test for a folder of that name\)$/],
    [[split, 'mnist:val'], /^s3gan: error: image set mnist:val: unknown split 'val'; use mnist:train or mnist:test$/],
    [['mnist:train', 'fashion-mnist:test'], /^s3gan: error: mnist:train and fashion-mnist:test: both splits must be of one dataset/],
    [[split, split, '--metrics', 'fid,is'], /^s3gan: .*--metrics: is needs a generator; two image sets are scored with fid, kid, precision-recall, density-coverage \(or all\)/],
  ];
  for (const [args, message] of cases) {
    const result = s3gan(['fid', ...args, ...TINY], { cacheHome });
    t.is(result.code, 2, args.join(' '));
    t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
    t.regex(result.stderr.trim(), message);
  }
  t.false(existsSync(cacheHome), 'no cache was written');
});

test('fid --help documents both forms of an image set, the metrics and --extractor', (t) => {
  const help = s3gan(['fid', '--help']);
  t.is(help.code, 0, help.stderr);
  const text = help.stdout.replace(/\s+/g, ' ');
  t.regex(text, /Usage: s3gan fid \[options\] <A> <B>/);
  t.regex(text, /dataset splits NAME:SPLIT with NAME one of mnist, fashion-mnist, cifar10, image-folder/);
  for (const flag of ['--extractor', '--samples', '--metrics', '--seed', '--json']) t.true(text.includes(flag), flag);
  t.regex(s3gan(['--help']).stdout, /fid \[options\] <A> <B>/);
});
