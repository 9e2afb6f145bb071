import test from 'ava';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { dirSnapshot, s3gan, tempDir, TINY_NETWORKS } from '../cli/helpers.js';

/** A GAN small enough for the cpu backend, with a checkpoint after every step. */
const TINY_GAN = [
  ...TINY_NETWORKS,
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'gan.checkpointEverySteps=1',
  '--set', 'gan.keepCheckpoints=5',
];

/** The s3gan pipeline small enough for the cpu backend (see tests/cli/run.test.ts). */
const TINY_RUN = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'labels.perClass=4',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.heldOutFraction=0.002',
  '--set', 'pretrain.logEverySteps=1',
  '--set', 'pretrain.logHeldOutImages=16',
  '--set', 'pretrain.checkpointEverySteps=1',
  '--set', 'pretrain.keepCheckpoints=5',
  '--set', 'pseudoLabel.folds=2',
  '--set', 'pseudoLabel.l2Strengths=[0.01,1]',
  '--set', 'gan.method=s3gan',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=16',
  '--set', 'gan.steps=2',
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'gan.checkpointEverySteps=2',
];

function loggedSteps(run: string, stage: string): number[] {
  return readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { stage: string; step: number })
    .filter((record) => record.stage === stage)
    .map((record) => record.step);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('GAN: a truncated newest checkpoint is skipped with a reason; all damaged is refused naming the remedy', (t) => {
  const run = path.join(tempDir('s3gan-ckpt-fallback-'), 'run');
  const checkpoints = path.join(run, 'gan/checkpoints');
  const first = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '3', ...TINY_GAN]);
  t.is(first.code, 0, first.stderr);

  // 1. The newest checkpoint's generator weights lose their tail: resume from step 2, and say why.
  const weights = path.join(checkpoints, 'step-00000003/generator/weights.bin');
  truncateSync(weights, 100);
  const resumed = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '4', ...TINY_GAN]);
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stderr, new RegExp(`skipping damaged checkpoint ${escape(path.join(checkpoints, 'step-00000003'))}: the weights of .*generator hold 100 bytes`));
  t.regex(resumed.stderr, new RegExp(`resuming from ${escape(path.join(checkpoints, 'step-00000002'))}, the newest intact checkpoint`));
  t.regex(resumed.stdout, /resumed from step 2/);
  t.deepEqual(loggedSteps(run, 'gan'), [1, 2, 3, 4]);

  // 2. Every state.json broken: nothing to resume from; the message names the directory to delete.
  for (const step of [1, 2, 3, 4]) writeFileSync(path.join(checkpoints, `step-0000000${step}/state.json`), '{"version": 1, "step": ');
  const before = dirSnapshot(run);
  for (const args of [['--dry-run'], []]) {
    const refused = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '6', ...args, ...TINY_GAN]);
    t.is(refused.code, 2, refused.stderr);
    t.regex(refused.stderr, new RegExp(`every checkpoint in ${escape(checkpoints)} is damaged \\(the newest: cannot read checkpoint state .*step-00000004.*\\); to start the GAN stage over, delete the directory ${escape(checkpoints)}, or use a new run\\.dir`));
    t.deepEqual(dirSnapshot(run), before);
  }
});

test('a checkpoint that does not fit the config is still refused, not skipped', (t) => {
  const run = path.join(tempDir('s3gan-ckpt-fallback-'), 'run');
  const first = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '2', ...TINY_GAN]);
  t.is(first.code, 0, first.stderr);
  const wider = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '3', ...TINY_GAN, '--set', 'gan.width=4']);
  t.is(wider.code, 2, wider.stderr);
  t.regex(wider.stderr, /does not fit the configured networks/);
  t.notRegex(wider.stderr, /skipping damaged checkpoint/);
});

test('run: a damaged pretraining checkpoint is skipped, and a damaged labels.json is made again', (t) => {
  const run = path.join(tempDir('s3gan-ckpt-fallback-'), 'run');
  const pretrain = s3gan(['pretrain', '--run', run, '--steps', '2', ...TINY_RUN]);
  t.is(pretrain.code, 0, pretrain.stderr);

  // 1. The newest pretraining checkpoint's state is cut off: the run resumes pretraining from step 1.
  const checkpoints = path.join(run, 'pretrain/checkpoints');
  writeFileSync(path.join(checkpoints, 'step-00000002/state.json'), '{');
  const first = s3gan(['run', '--run', run, '--set', 'pretrain.steps=3', ...TINY_RUN]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, new RegExp(`skipping damaged checkpoint ${escape(path.join(checkpoints, 'step-00000002'))}: cannot read checkpoint state`));
  t.regex(first.stderr, /pretrain \(from step 1\)/);
  t.deepEqual(loggedSteps(run, 'pretrain'), [1, 2, 3]);

  // 2. labels/labels.json cut short after the run: the rerun labels again instead of failing.
  const labels = path.join(run, 'labels/labels.json');
  const whole = readFileSync(labels, 'utf8');
  writeFileSync(labels, whole.slice(0, 200));
  const again = s3gan(['run', '--run', run, '--set', 'pretrain.steps=3', ...TINY_RUN]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, new RegExp(`labelling again: cannot read labels file ${escape(labels)}`));
  t.is(readFileSync(labels, 'utf8'), whole);
});
