import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DatasetName, DatasetOptions } from '../../src/data/options.js';
import { DATASET_NAMES, loadDataset, parseDatasetName } from '../../src/data/registry.js';
import { UserError } from '../../src/util/errors.js';

const base = (name: string, extra: Partial<DatasetOptions> = {}): DatasetOptions => ({
  name: name as DatasetName,
  imageSize: 32,
  channels: 3,
  cacheDir: path.join(os.tmpdir(), 's3gan-registry-unused-cache'),
  skipCorrupt: false,
  ...extra,
});

test('every known name parses to itself', (t) => {
  t.deepEqual(DATASET_NAMES.map(parseDatasetName), [...DATASET_NAMES]);
});

test('an unknown name suggests the nearest and lists the known ones', (t) => {
  t.throws(() => parseDatasetName('mnsit'), {
    instanceOf: UserError,
    message: "unknown dataset 'mnsit' (did you mean 'mnist'?); known: mnist, fashion-mnist, cifar10, image-folder",
  });
  t.throws(() => parseDatasetName('imagenet'), {
    instanceOf: UserError,
    message: "unknown dataset 'imagenet'; known: mnist, fashion-mnist, cifar10, image-folder",
  });
});

test('loadDataset rejects an unknown name the same way', async (t) => {
  await t.throwsAsync(loadDataset(base('cifar-10')), { instanceOf: UserError, message: /unknown dataset 'cifar-10' \(did you mean 'cifar10'\?\)/ });
});

test('cifar10 and image-folder need data.path', async (t) => {
  await t.throwsAsync(loadDataset(base('cifar10')), { instanceOf: UserError, message: /data\.path is required for dataset 'cifar10'/ });
  await t.throwsAsync(loadDataset(base('image-folder')), { instanceOf: UserError, message: /data\.path is required for dataset 'image-folder'/ });
});

test('image-folder options given to a fixed dataset are refused, not ignored', async (t) => {
  await t.throwsAsync(loadDataset(base('mnist', { labelFile: 'labels.csv' })), { instanceOf: UserError, message: /data\.labelFile applies only to dataset 'image-folder'/ });
  await t.throwsAsync(loadDataset(base('fashion-mnist', { classNames: ['a'] })), { instanceOf: UserError, message: /data\.classNames applies only/ });
});

test('a missing MNIST directory names the missing file', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3gan-registry-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await t.throwsAsync(loadDataset(base('mnist', { path: dir, cacheDir: path.join(dir, 'cache') })), {
    instanceOf: UserError,
    message: `source file not found: ${path.join(dir, 'train-images-idx3-ubyte')}`,
  });
});
