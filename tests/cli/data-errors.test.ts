import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { dirSnapshot, s3gan, tempDir, type CliResult } from './helpers.js';

/** Exit 2, one line naming `culprit`, no stack trace, and `run` left as it was. */
function refused(t: import('ava').ExecutionContext, result: CliResult, culprit: string | RegExp, run: string, before: Record<string, string>): void {
  t.is(result.code, 2, result.stderr);
  if (typeof culprit === 'string') t.true(result.stderr.includes(culprit), result.stderr);
  else t.regex(result.stderr, culprit);
  t.notRegex(result.stderr, /\n\s+at .*:\d+/, 'no stack trace');
  t.deepEqual(dirSnapshot(run), before, 'the run directory is untouched');
}

/** `perClass` grayscale 8×8 PNGs in each class folder under `root`. */
async function greyFolder(root: string, classes: readonly string[], perClass: number): Promise<void> {
  for (const [c, name] of classes.entries()) {
    mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(64, 40 * c + 3 * i);
      pixels[9] = 255;
      await sharp(pixels, { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(root, name, `${i}.png`));
    }
  }
}

test('data.path at the parent of cifar-10-batches-bin suggests the directory, from every command', (t) => {
  const parent = tempDir('s3gan-cli-cifar-');
  mkdirSync(path.join(parent, 'cifar-10-batches-bin'));
  const hint = `did you mean data.path = ${path.join(parent, 'cifar-10-batches-bin')}?`;
  const run = path.join(tempDir('s3gan-cli-cifar-run-'), 'run');
  refused(t, s3gan(['data', 'inspect', 'cifar10', '--path', parent]), hint, run, {});
  refused(t, s3gan(['labels', '--run', run, '--set', 'data.name=cifar10', '--set', `data.path=${parent}`]), hint, run, {});
});

test('a data.labelFile that does not exist is named as such', async (t) => {
  const root = tempDir('s3gan-cli-labelfile-');
  await greyFolder(root, ['a', 'b'], 2);
  const missing = path.join(root, 'nope.csv');
  const run = path.join(root, 'run');
  refused(t, s3gan(['data', 'inspect', 'image-folder', '--path', root, '--label-file', missing]), `data.labelFile not found: ${missing}`, run, {});
});

test('a JSON label file with a duplicate key is refused, naming the file and the key', async (t) => {
  const root = tempDir('s3gan-cli-dupkey-');
  await greyFolder(root, ['a', 'b'], 2);
  const labels = path.join(root, 'labels.json');
  writeFileSync(labels, '{\n  "a/0.png": "a",\n  "b/0.png": "b",\n  "a/0.png": "b"\n}\n');
  const run = path.join(root, 'run');
  const result = s3gan(['labels', '--run', run, '--set', 'data.name=image-folder', '--set', `data.path=${root}`, '--set', `data.labelFile=${labels}`, '--set', 'data.imageSize=8']);
  refused(t, result, `${labels}, line 4: key "a/0.png" appears twice`, run, {});
});

test('an empty class folder is refused, naming it', async (t) => {
  const root = tempDir('s3gan-cli-empty-');
  await greyFolder(root, ['a', 'c'], 3);
  mkdirSync(path.join(root, 'b'));
  const run = path.join(root, 'run');
  refused(t, s3gan(['data', 'inspect', 'image-folder', '--path', root, '--set', 'data.imageSize=8']), `class folder ${path.join(root, 'b')} holds no images`, run, {});
});

test('loading reports skipped images, inferred channels and the test split on stderr, whatever the command', async (t) => {
  const root = tempDir('s3gan-cli-report-');
  await greyFolder(root, ['a', 'b'], 10);
  for (const name of ['a/broken-1.png', 'b/broken-2.png']) writeFileSync(path.join(root, name), 'not a png');
  const data = ['--set', 'data.name=image-folder', '--set', `data.path=${root}`, '--set', 'data.imageSize=8', '--set', 'data.skipCorrupt=true'];
  const skippedLine = `data.skipCorrupt: skipped 2 undecodable image(s): ${path.join(root, 'a/broken-1.png')}, ${path.join(root, 'b/broken-2.png')}`;

  const inspect = s3gan(['data', 'inspect', ...data, '--set', 'labels.perClass=1']);
  t.is(inspect.code, 0, inspect.stderr);
  t.true(inspect.stderr.includes(skippedLine), inspect.stderr);
  t.regex(inspect.stderr, /^data\.channels: 1, inferred \(every image is grayscale\)/m);
  t.regex(inspect.stderr, /^test split: 2 images held out by data\.testFraction 0\.1/m);
  t.regex(inspect.stdout, /^train\s+18\s+18\s+0$/m);
  t.regex(inspect.stdout, /^test\s+2\s+2\s+0$/m);
  t.regex(inspect.stdout, /8×8×1 uint8/);

  // A stage command (through the shared stage start) says the same once.
  const run = path.join(root, 'run');
  const pretrain = s3gan(['pretrain', '--run', run, '--steps', '1', ...data, '--set', 'backend.name=cpu', '--set', 'pretrain.width=2', '--set', 'pretrain.batchSize=4', '--set', 'pretrain.heldOutFraction=0.1']);
  t.is(pretrain.code, 0, pretrain.stderr);
  t.is(pretrain.stderr.split(skippedLine).length, 2, 'reported once');
  t.regex(pretrain.stderr, /^data\.channels: 1, inferred/m);
});

test('a grayscale image folder without a test split: train, then eval on the held-out split with the default eval.split', async (t) => {
  const root = tempDir('s3gan-cli-folder-eval-');
  const images = path.join(root, 'images');
  await greyFolder(images, ['a', 'b', 'c'], 20);
  const run = path.join(root, 'run');
  const common = ['--set', 'backend.name=cpu', '--set', 'data.name=image-folder', '--set', `data.path=${images}`, '--set', 'data.imageSize=8'];
  const gan = ['--set', 'gan.width=2', '--set', 'gan.zDim=4', '--set', 'gan.batchSize=8', '--set', 'gan.sampleEverySteps=0', '--set', 'gan.logEverySteps=1'];
  const trained = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '1', ...common, ...gan]);
  t.is(trained.code, 0, trained.stderr);
  const evaluated = s3gan(['eval', '--run', run, '--samples', '12', '--metrics', 'fid', '--set', 'eval.classifierWidth=2', '--set', 'eval.classifierEpochs=1']);
  t.is(evaluated.code, 0, evaluated.stderr);
  t.regex(evaluated.stdout, /^fid .* test /m);
  const results = JSON.parse(readFileSync(path.join(run, 'eval', 'results.json'), 'utf8')) as { metrics: { split: string }[] };
  t.is(results.metrics[0].split, 'test');
  t.true(existsSync(path.join(run, 'eval', 'results.json')));
});
