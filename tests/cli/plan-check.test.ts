import test from 'ava';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { dirSnapshot, s3gan, tempDir } from './helpers.js';

/** Small settings for the cpu backend; the checks below fire before any of them matter. */
const TINY = ['--set', 'backend.name=cpu', '--set', 'data.imageSize=8', '--set', 'data.fit=resize', '--set', 'gan.width=2', '--set', 'gan.zDim=4', '--set', 'gan.batchSize=8'];

/** An image folder with `count` 8×8 grayscale PNGs in each of the `classes` subfolders. */
async function imageFolder(classes: readonly string[], count: number): Promise<string> {
  const root = path.join(tempDir('s3gan-cli-plan-folder-'), 'images');
  for (const [c, name] of classes.entries()) {
    mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < count; i++) {
      const pixels = Buffer.alloc(64, (c * 97 + i * 13) % 256);
      await sharp(pixels, { raw: { width: 8, height: 8, channels: 1 } })
        .png()
        .toFile(path.join(root, name, `${i}.png`));
    }
  }
  return root;
}

function folderFlags(root: string): string[] {
  return ['--set', 'data.name=image-folder', '--set', `data.path=${root}`, '--set', 'data.channels=1'];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a single-class folder is refused for a conditional method by run --dry-run and run, naming the folder; nothing is written', async (t) => {
  const root = await imageFolder(['cats'], 6);
  const run = path.join(tempDir('s3gan-cli-plan-'), 'run');
  const flags = ['--run', run, ...TINY, ...folderFlags(root), '--set', 'labels.perClass=2'];
  for (const args of [['run', '--dry-run', ...flags], ['run', ...flags]]) {
    const result = s3gan(args);
    t.is(result.code, 2, result.stderr);
    t.regex(result.stderr, new RegExp(`gan\\.method s3gan is class-conditional .* 2 classes, but image folder ${escape(root)} \\(data\\.path\\) has 1 \\('cats'\\)`));
    t.notRegex(result.stderr, /\n\s+at /);
    t.deepEqual(dirSnapshot(run), {});
  }
  // An unconditional method needs no classes: the same folder passes the class check.
  const gan = s3gan(['run', '--dry-run', ...flags, '--method', 'gan', '--set', 'gan.batchSize=4']);
  t.is(gan.code, 0, gan.stderr);
});

test('run --dry-run refuses the rotation batch constraint and a labels.perClass larger than the smallest class', (t) => {
  const run = path.join(tempDir('s3gan-cli-plan-'), 'run');
  const rotation = s3gan(['run', '--dry-run', '--run', run, '--method', 's3gan', '--set', 'gan.batchSize=10']);
  t.is(rotation.code, 2, rotation.stderr);
  t.regex(rotation.stderr, /gan\.batchSize \(10\) must be a multiple of 4 · gan\.rotatedBatchFraction = 16 for method s3gan/);

  const perClass = s3gan(['run', '--dry-run', '--run', run, '--set', 'labels.perClass=6000']);
  t.is(perClass.code, 2, perClass.stderr);
  // MNIST's smallest training class is the digit 5, with 5421 images.
  t.regex(perClass.stderr, /labels\.perClass=6000 is more than class '5' has \(5421 labelled images\)/);
  t.deepEqual(dirSnapshot(run), {});

  const fine = s3gan(['run', '--dry-run', '--run', run, '--method', 's3gan', '--set', 'gan.batchSize=32']);
  t.is(fine.code, 0, fine.stderr);
  t.regex(fine.stdout, /would run s3gan/);
});

test('stage commands check counts up front: folds vs labels, batch sizes vs images, a missing test split', async (t) => {
  const root = await imageFolder(['a', 'b'], 3);
  const run = path.join(tempDir('s3gan-cli-plan-'), 'run');
  const flags = ['--run', run, ...TINY, ...folderFlags(root)];
  const cases: { args: string[]; message: RegExp }[] = [
    { args: ['pseudo-label', '--dry-run', ...flags, '--set', 'labels.perClass=2'], message: /pseudoLabel\.folds \(5\) is more than the 4 labelled images of labels\.perClass=2/ },
    { args: ['run', '--dry-run', ...flags, '--set', 'labels.perClass=2', '--set', 'pretrain.batchSize=4'], message: /pseudoLabel\.folds \(5\)/ },
    { args: ['pretrain', '--dry-run', ...flags], message: /pretrain\.batchSize \(64\) is larger than the 5 training images left after holding out 1/ },
    { args: ['train', '--dry-run', ...flags, '--method', 'cgan-full', '--set', 'gan.batchSize=16'], message: /gan\.batchSize \(16\) is larger than the 6 training images/ },
    { args: ['run', '--dry-run', ...flags, '--method', 'gan', '--set', 'gan.batchSize=4', '--set', 'eval.everySteps=2'], message: /eval\.everySteps > 0: eval\.split is 'test' but dataset image-folder has no test split/ },
    { args: ['train', '--dry-run', ...flags, '--method', 'cgan-few', '--set', 'labels.perClass=4'], message: /labels\.perClass=4 is more than class 'a' has \(3 labelled images\)/ },
  ];
  for (const { args, message } of cases) {
    const result = s3gan(args);
    t.is(result.code, 2, `${args.join(' ')}\n${result.stderr}`);
    t.regex(result.stderr, message);
  }
  t.deepEqual(dirSnapshot(run), {});
});

test('a refused command leaves an existing run directory byte-identical', (t) => {
  const run = path.join(tempDir('s3gan-cli-plan-'), 'run');
  const first = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '1', ...TINY]);
  t.is(first.code, 0, first.stderr);
  const before = dirSnapshot(run);
  const rotation = s3gan(['train', '--run', run, '--method', 's3gan-co', '--set', 'gan.batchSize=10', '--steps', '2', ...TINY.slice(0, -2)]);
  t.is(rotation.code, 2, rotation.stderr);
  t.regex(rotation.stderr, /gan\.batchSize \(10\) must be a multiple of 4/);
  t.deepEqual(dirSnapshot(run), before);
});
