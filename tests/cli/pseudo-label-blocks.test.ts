import test from 'ava';
import { cpSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dirSnapshot, s3gan, tempDir } from './helpers.js';

/** Stages 1 and 2 small enough for the cpu backend: MNIST resized to 8×8, an encoder of width 2. */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'labels.perClass=4',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.steps=4',
  '--set', 'pretrain.heldOutFraction=0.002',
  '--set', 'pretrain.logHeldOutImages=16',
  '--set', 'pseudoLabel.folds=2',
  '--set', 'pseudoLabel.l2Strengths=[0.01,1]',
];

interface Report {
  block: number | number[];
  blockSelection: { block: number | number[]; accuracy: number }[] | null;
  description: string;
  test: { total: number };
}

function report(run: string): Report {
  return JSON.parse(readFileSync(path.join(run, 'labels/report.json'), 'utf8')) as Report;
}

let pretrained = '';
test.before(() => {
  pretrained = path.join(tempDir('s3gan-pl-blocks-'), 'pretrained');
  const result = s3gan(['pretrain', '--run', pretrained, ...TINY]);
  if (result.code !== 0) throw new Error(result.stderr);
});

/** A copy of the pretrained run, so that each case labels from the same encoder. */
function copyOfPretrained(name: string): string {
  const run = path.join(tempDir('s3gan-pl-blocks-'), name);
  cpSync(pretrained, run, { recursive: true });
  return run;
}

test('block auto with adjacent pairs cross-validates seven candidates and uses the best', (t) => {
  const run = copyOfPretrained('pairs');
  const result = s3gan(['pseudo-label', '--run', run, ...TINY, '--set', 'pseudoLabel.autoBlocks=adjacent-pairs']);
  t.is(result.code, 0, result.stderr);
  const { block, blockSelection } = report(run);
  t.deepEqual(blockSelection?.map((s) => s.block), [0, 1, 2, 3, [0, 1], [1, 2], [2, 3]]);
  const scores = blockSelection ?? [];
  const best = scores.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  t.deepEqual(block, best.block);
  t.regex(result.stdout, /block selection \(cross-validated accuracy\): block 0 [\d.]+%, .*blocks 0\+1 [\d.]+%, blocks 1\+2 [\d.]+%, blocks 2\+3 [\d.]+% → /);
});

test('a list of blocks concatenates their features, for the training images and the test split', (t) => {
  const run = copyOfPretrained('list');
  const result = s3gan(['pseudo-label', '--run', run, ...TINY, '--block', '[3, 2]']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /linear classifier, blocks 2\+3, 2-fold CV/);
  t.regex(result.stderr, /features: encoder blocks 2\+3, \d+ dimensions/);
  const labelled = report(run);
  t.deepEqual(labelled.block, [2, 3]);
  t.is(labelled.blockSelection, null);
  t.regex(labelled.description, /^linear classifier \(L2 [\d.]+\) on encoder blocks 2\+3 \(2×2 pooled\), fitted on 40 labels$/);
  t.is(labelled.test.total, 10_000);
});

test('blocks that do not exist, or several for the s4l classifier: one line naming pseudoLabel.block, exit 2, the run untouched', (t) => {
  const run = copyOfPretrained('refused');
  const before = dirSnapshot(run);
  const cases: [string[], RegExp][] = [
    [['--block', '[1, 4]'], /^s3gan: error: pseudoLabel\.block is \[1, 4\], but the encoder has blocks 0\.\.3 \(or auto\)$/m],
    [['--block', '[2, 2]'], /^s3gan: error: pseudoLabel\.block is \[2, 2\], which lists a block twice$/m],
    [['--block', '[1, 2]', '--set', 'pseudoLabel.classifier=s4l'], /^s3gan: error: pseudoLabel\.block lists 2 blocks, but the s4l classifier puts its head on one block: give one block, or auto$/m],
  ];
  for (const [flags, message] of cases) {
    const result = s3gan(['pseudo-label', '--run', run, ...TINY, ...flags]);
    t.is(result.code, 2, flags.join(' '));
    t.regex(result.stderr, message);
    t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
    t.deepEqual(dirSnapshot(run), before, flags.join(' '));
  }
});
