import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { tempDir } from './temp.js';

interface ExportTarget {
  readonly types: string;
  readonly default: string;
}

const exportsField = (JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, ExportTarget> }).exports;

/** Imports an entry point by its package specifier (`s3gan/data`), as a user's code does: Node resolves the package's own name through "exports". */
async function importEntry(specifier: string): Promise<Record<string, unknown>> {
  return (await import(specifier)) as Record<string, unknown>;
}

test('every subpath export resolves by the package name to built code with its types', async (t) => {
  t.deepEqual(Object.keys(exportsField), ['.', './config', './data', './nn', './training', './eval', './metrics']);
  for (const [subpath, target] of Object.entries(exportsField)) {
    t.true(existsSync(target.types), `${subpath}: ${target.types}`);
    const module = await importEntry(subpath === '.' ? 's3gan' : `s3gan/${subpath.slice(2)}`);
    t.true(Object.keys(module).length > 0, subpath);
  }
});

test('the root export is the user-level API; the building blocks are in the groups', async (t) => {
  const root = await importEntry('s3gan');
  for (const name of ['train', 'run', 'loadGenerator', 'sample', 'evaluate', 'loadConfig', 'UserError', 'InterruptedError']) t.is(typeof root[name], 'function', name);
  t.true(Object.keys(root).length <= 25, `root exports ${Object.keys(root).length} names`);
  t.is(typeof (await importEntry('s3gan/metrics')).fid, 'function');
  t.is(typeof (await importEntry('s3gan/nn')).buildGenerator, 'function');
  t.is(typeof (await importEntry('s3gan/training')).trainGan, 'function');
  t.is(typeof (await importEntry('s3gan/eval')).prepareEvaluation, 'function');
  t.is(typeof (await importEntry('s3gan/config')).configSchema, 'object');
});

test('s3gan/data loads a config and a dataset and picks a labelled subset', async (t) => {
  const { loadConfig } = (await importEntry('s3gan/config')) as typeof import('../src/exports/config.js');
  const data = (await importEntry('s3gan/data')) as typeof import('../src/exports/data.js');
  const { UserError } = (await importEntry('s3gan')) as typeof import('../src/index.js');
  const { config } = await loadConfig({ overrides: ['labels.fraction=0.05', `data.cacheDir=${tempDir('s3gan-api-')}`] });
  const mnist = await data.loadDataset({ ...config.data, name: 'mnist' });
  const subset = data.labelledSubset(mnist.train, mnist.classNames, { fraction: 0.05 }, config.labels.seed);
  t.is(subset.ids.length, 3000);
  t.is(data.splitSize(mnist.test!), 10000);
  t.throws(() => data.parseDatasetName('cifar100'), { instanceOf: UserError, message: /unknown dataset 'cifar100' \(did you mean 'cifar10'\?\)/ });
});
