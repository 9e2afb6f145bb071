import test from 'ava';
import { labelledSubset, maskToSubset } from '../../src/data/label-subset.js';
import { UNLABELLED, type ImageSplit } from '../../src/data/types.js';
import { loadDataset } from '../../src/data/registry.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

let mnist: Promise<ImageSplit> | undefined;
function mnistTrain(): Promise<ImageSplit> {
  mnist ??= loadDataset({ name: 'mnist', imageSize: 32, channels: 1, cacheDir: tempDir('s3gan-subset-'), skipCorrupt: false }).then((d) => d.train);
  return mnist;
}

test('MNIST subsets are nested across fractions 0.01 ⊂ 0.05 ⊂ 0.1 for three seeds', async (t) => {
  const train = await mnistTrain();
  for (const seed of [0, 1, 2]) {
    const [small, medium, large] = [0.01, 0.05, 0.1].map((fraction) => labelledSubset(train, CLASSES, { fraction }, seed));
    t.is(small.ids.length, 600, '1% of 60,000: 60 per class');
    t.deepEqual(small.countPerClass, Array(10).fill(60));
    t.is(medium.ids.length, 3000);
    t.is(large.ids.length, 6000);
    const mediumIds = new Set(medium.ids);
    const largeIds = new Set(large.ids);
    t.true(small.ids.every((id) => mediumIds.has(id)), `seed ${seed}: 1% ⊂ 5%`);
    t.true(medium.ids.every((id) => largeIds.has(id)), `seed ${seed}: 5% ⊂ 10%`);
    // Labels are the true labels and every class is represented in proportion.
    small.indices.forEach((index, k) => t.is(small.labels[k], train.labels[index]));
  }
  const a = labelledSubset(train, CLASSES, { fraction: 0.01 }, 0);
  const b = labelledSubset(train, CLASSES, { fraction: 0.01 }, 1);
  t.notDeepEqual(a.ids, b.ids, 'different seeds choose different images');
  t.deepEqual(a.ids, labelledSubset(train, CLASSES, { fraction: 0.01 }, 0).ids, 'same seed, same subset');
});

test('MNIST 0.1% gives 60 labels; fraction 1 keeps all 60,000; too small a fraction is refused', async (t) => {
  const train = await mnistTrain();
  t.is(labelledSubset(train, CLASSES, { fraction: 0.001 }, 0).ids.length, 60);
  t.is(labelledSubset(train, CLASSES, { fraction: 1 }, 0).ids.length, 60000);
  t.throws(() => labelledSubset(train, CLASSES, { fraction: 0.00001 }, 0), { instanceOf: UserError, message: /less than one image per class/ });
});

test('perClass takes exactly k of every class, nested with larger k', async (t) => {
  const train = await mnistTrain();
  const five = labelledSubset(train, CLASSES, { perClass: 5 }, 3);
  const fifty = labelledSubset(train, CLASSES, { perClass: 50 }, 3);
  t.deepEqual(five.countPerClass, Array(10).fill(5));
  t.is(fifty.ids.length, 500);
  const fiftyIds = new Set(fifty.ids);
  t.true(five.ids.every((id) => fiftyIds.has(id)));
  const error = t.throws(() => labelledSubset(train, CLASSES, { perClass: 6000 }, 0), { instanceOf: UserError });
  t.regex(error.message, /labels\.perClass=6000 is more than class '5' has \(5421 labelled images\)/);
});

const tiny: ImageSplit = {
  images: new Uint8Array(6),
  shape: [6, 1, 1, 1],
  labels: Int32Array.from([0, 1, 0, UNLABELLED, 1, 0]),
  ids: ['f', 'e', 'd', 'c', 'b', 'a'],
};

test('the subset does not depend on the order images were read in', (t) => {
  const reversed: ImageSplit = {
    ...tiny,
    labels: Int32Array.from([...tiny.labels].reverse()),
    ids: [...tiny.ids].reverse(),
  };
  const one = labelledSubset(tiny, ['x', 'y'], { perClass: 1 }, 9);
  const other = labelledSubset(reversed, ['x', 'y'], { perClass: 1 }, 9);
  t.deepEqual([...one.ids].sort(), [...other.ids].sort());
});

test('unlabelled images are never chosen; fraction 1 keeps every label; masking', (t) => {
  const all = labelledSubset(tiny, ['x', 'y'], { fraction: 1 }, 0);
  t.deepEqual([...all.indices], [0, 1, 2, 4, 5]);
  const one = labelledSubset(tiny, ['x', 'y'], { perClass: 1 }, 0);
  const masked = maskToSubset(tiny, one);
  t.is(masked.filter((l) => l !== UNLABELLED).length, 2);
  t.is(masked[3], UNLABELLED);
  const capped = labelledSubset(tiny, ['x', 'y'], { fraction: 0.9 }, 0);
  t.deepEqual(capped.countPerClass, [2, 2], 'round(0.9·5/2) = 2 per class');
  for (const f of [0, -1, 1.5]) t.throws(() => labelledSubset(tiny, ['x', 'y'], { fraction: f }, 0), { instanceOf: UserError, message: /labels\.fraction/ });
});
