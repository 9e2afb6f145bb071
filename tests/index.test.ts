import test from 'ava';
import { tempDir } from './temp.js';
import * as s3gan from '../src/index.js';

// The README's "From code" example, through the package's public entry point.
test('the public API loads a config and a dataset and picks a labelled subset', async (t) => {
  const { config } = await s3gan.loadConfig({ overrides: ['labels.fraction=0.05', `data.cacheDir=${tempDir('s3gan-api-')}`] });
  const mnist = await s3gan.loadDataset({ ...config.data, name: 'mnist' });
  const subset = s3gan.labelledSubset(mnist.train, mnist.classNames, { fraction: 0.05 }, config.labels.seed);
  t.is(subset.ids.length, 3000);
  t.is(s3gan.splitSize(mnist.test!), 10000);
  t.throws(() => s3gan.parseDatasetName('cifar100'), { instanceOf: s3gan.UserError, message: /unknown dataset 'cifar100' \(did you mean 'cifar10'\?\)/ });
});
