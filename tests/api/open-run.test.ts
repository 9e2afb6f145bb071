import test from 'ava';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { listPipelines, openRun, run, UserError } from '../../src/index.js';
import { dirSnapshot } from '../cli/helpers.js';
import { tempDir } from '../temp.js';
import { tinyGan, tinyMnist } from './fixtures.js';

const TINY = {
  ...tinyGan(tinyMnist()),
  'labels.perClass': 4,
  'pretrain.width': 2,
  'pretrain.batchSize': 8,
  'pretrain.steps': 2,
  'pretrain.heldOutFraction': 0.05,
  'pretrain.logEverySteps': 1,
  'pretrain.logHeldOutImages': 16,
  'pseudoLabel.folds': 2,
  'pseudoLabel.l2Strengths': [0.01, 1],
  'gan.method': 's3gan',
};

test.serial('run() runs chosen stages of the pipeline, and openRun() reads where the run stands', async (t) => {
  const runDir = path.join(tempDir('s3gan-api-open-'), 'run');
  const first = await run({ run: runDir, set: TINY, stages: ['pretrain'] });
  t.deepEqual(first.stages.map((s) => [s.stage, s.skipped]), [['pretrain', false]]);
  t.is(first.pipeline, 's3gan');

  const opened = await openRun(runDir);
  t.is(opened.runDir, path.resolve(runDir));
  t.is(opened.method, 's3gan');
  t.is(opened.pipeline.name, 's3gan');
  t.is(opened.config.pretrain.steps, 2);
  t.is(opened.config.gan.width, 2);
  t.deepEqual(opened.stages, [{ stage: 'pretrain', status: 'done' }, { stage: 'pseudo-label', status: 'pending' }, { stage: 'gan', status: 'pending' }]);
  t.deepEqual(opened.stagesDone, ['pretrain']);
  t.is(opened.manifest.stages.pretrain.status, 'done');

  // The next stage continues the run with the config it was started with; the finished one is skipped.
  const second = await run({ run: runDir, stages: ['pretrain', 'pseudo-label'] });
  t.deepEqual(second.stages.map((s) => [s.stage, s.skipped]), [['pretrain', true], ['pseudo-label', false]]);
  t.true(existsSync(path.join(runDir, 'labels/labels.json')));
  const reopened = await openRun(runDir);
  t.deepEqual(reopened.stages.map((s) => s.status), ['done', 'done', 'pending']);
  t.false(existsSync(path.join(runDir, 'gan')));
});

test.serial('a stage outside the pipeline, or a directory that is no run, is a UserError; nothing is written', async (t) => {
  const root = tempDir('s3gan-api-open-bad-');
  const runDir = path.join(root, 'run');
  await t.throwsAsync(run({ run: runDir, set: { ...TINY, 'gan.method': 's3gan-co' }, stages: ['pretrain'] }), {
    instanceOf: UserError,
    message: "stages: 'pretrain' is not a stage of pipeline 'co-training' (gan)",
  });
  await t.throwsAsync(run({ run: runDir, set: TINY, stages: [] }), { instanceOf: UserError, message: /^stages: name at least one stage/ });
  t.false(existsSync(runDir));

  mkdirSync(runDir);
  const before = dirSnapshot(root);
  await t.throwsAsync(openRun(runDir), { instanceOf: UserError, message: `${path.join(runDir, 'manifest.json')} does not exist: is ${runDir} a run directory?` });
  t.deepEqual(dirSnapshot(root), before);
});

test('listPipelines() from the package root lists the shipped pipelines', (t) => {
  t.deepEqual(listPipelines().map((p) => p.name), ['baselines', 'cgan-kmeans', 'co-training', 'finetune', 's2gan', 's3gan']);
});
