import test from 'ava';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { dirSnapshot, s3gan, tempDir } from './helpers.js';

const TINY = ['--set', 'backend.name=cpu', '--set', 'data.imageSize=8', '--set', 'data.fit=resize', '--set', 'gan.width=2', '--set', 'gan.zDim=4'];

/** An existing, empty run directory: a refused command must leave it as it was. */
function existingRun(): string {
  const run = path.join(tempDir('s3gan-cli-ms-'), 'run');
  mkdirSync(run, { recursive: true });
  return run;
}

for (const value of ['-0.1', 'strong']) {
  test(`gan.modeSeekingWeight=${value} is refused naming the key, writing nothing`, (t) => {
    const run = existingRun();
    const before = dirSnapshot(run);
    const result = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '1', ...TINY, '--set', `gan.modeSeekingWeight=${value}`]);
    t.is(result.code, 2, result.stderr);
    t.regex(result.stderr, /gan\.modeSeekingWeight/);
    t.notRegex(result.stderr, /\n\s+at .*:\d+/, 'no stack trace');
    t.deepEqual(dirSnapshot(run), before, 'the run directory is untouched');
  });
}

test('gan.modeSeekingWeight with gan.batchSize=1 is refused before anything is written', (t) => {
  const run = existingRun();
  const before = dirSnapshot(run);
  const result = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '1', ...TINY, '--set', 'gan.batchSize=1', '--set', 'gan.modeSeekingWeight=0.05']);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /gan\.modeSeekingWeight > 0 .*gan\.batchSize must be at least 2, got 1/);
  t.deepEqual(dirSnapshot(run), before, 'the run directory is untouched');
});

test('config keys documents gan.modeSeekingWeight with its default and the paper', (t) => {
  const result = s3gan(['config', 'keys', '--markdown']);
  t.is(result.code, 0);
  t.regex(result.stdout, /\| `gan\.modeSeekingWeight` \| number \(≥ 0\) \| `0` \| .*Mode Seeking Generative Adversarial Networks.*gModeSeeking/);
});
