/**
 * The finetune pipeline from the experiment runner: a grid whose cells set finetune.candidates runs
 * select-source → finetune in each cell (then the cell's evaluation), from the grid's config alone.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runExperiment } from '../../src/index.js';
import { s3gan, tempDir } from '../cli/helpers.js';
import { writeMnistSubset } from '../cli/mnist-idx.js';

test('a grid with finetune.candidates runs select-source and finetune in every cell', async (t) => {
  const root = tempDir('s3gan-finetune-experiment-');
  const cacheHome = path.join(root, 'cache');
  const mnistDir = writeMnistSubset(path.join(root, 'mnist-small'), { train: 200, test: 100 });
  const set = { 'data.path': mnistDir, 'data.cacheDir': path.join(cacheHome, 's3gan') };
  const source = path.join(root, 'source');
  const base = path.join(root, 'base.yaml');
  writeFileSync(base, [
    'backend: { name: cpu }',
    'data: { name: mnist, imageSize: 8, fit: resize }',
    'gan: { width: 2, zDim: 4, batchSize: 8, steps: 2, logEverySteps: 1, sampleEverySteps: 0, checkpointEverySteps: 1 }',
    '',
  ].join('\n'));
  const trained = s3gan(['train', '--config', base, '--run', source, '--method', 'cgan-full', ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`])], { cacheHome });
  t.is(trained.code, 0, trained.stderr);
  const grid = path.join(root, 'finetune.yaml');
  writeFileSync(grid, [
    `base: ${base}`,
    `set: ['finetune.candidates=["${source}"]', finetune.samples=40, gan.steps=1]`,
    'methods: [cgan-full]',
    'seeds: [0]',
    'eval: { samples: 40, metrics: [fid] }',
    '',
  ].join('\n'));
  const summary = await runExperiment({ config: grid, out: path.join(root, 'out'), set });
  const cells = summary.results?.cells ?? [];
  t.is(cells.length, 1);
  const runDir = path.join(root, 'out', cells[0].runDir);
  const stages = (JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { stages: Record<string, { status: string }> }).stages;
  t.deepEqual(Object.fromEntries(Object.entries(stages).map(([name, record]) => [name, record.status])), { 'select-source': 'done', finetune: 'done', eval: 'done' });
  t.is((JSON.parse(readFileSync(path.join(runDir, 'select-source.json'), 'utf8')) as { chosen: string }).chosen, source);
  t.is(typeof cells[0].metrics.fid, 'number');
});
