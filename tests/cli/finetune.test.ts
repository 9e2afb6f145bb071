/**
 * `s3gan finetune`, `s3gan select-source` and the finetune pipeline on tiny GANs: a fine-tuning
 * from an MNIST source records the source's hash and refuses a changed source; a target of another
 * class count adapts (and says which weights); a target of another channel count is refused with
 * exit 2 and nothing written; `s3gan run` with finetune.candidates ranks the candidates and
 * fine-tunes from the choice.
 */
import test from 'ava';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { s3gan, tempDir, TINY } from './helpers.js';


const root = tempDir('s3gan-cli-finetune-');

/** `perClass` 8×8 PNGs in each of `classes` subfolders of `folder`, grey or RGB. */
async function writeFolder(folder: string, classes: number, perClass: number, channels: 1 | 3): Promise<string> {
  for (let c = 0; c < classes; c++) {
    const dir = path.join(folder, `class${c}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(64 * channels, (37 * c + 11 * i) % 256);
      const image = sharp(pixels, { raw: { width: 8, height: 8, channels } });
      await (channels === 1 ? image.toColourspace('b-w') : image).png().toFile(path.join(dir, `${i}.png`));
    }
  }
  return folder;
}

function manifest(run: string): { stages: Record<string, { status: string; inputs?: Record<string, string> }> } {
  return JSON.parse(readFileSync(path.join(run, 'manifest.json'), 'utf8')) as ReturnType<typeof manifest>;
}

let source = '';

test.before(() => {
  source = path.join(root, 'source');
  const trained = s3gan(['train', '--run', source, '--method', 'cgan-full', '--steps', '2', ...TINY]);
  if (trained.code !== 0) throw new Error(trained.stderr);
});

test.serial('finetune trains from the source, records its weights hash, and refuses to resume once the source has changed', (t) => {
  const run = path.join(root, 'ft');
  const first = s3gan(['finetune', '--from', source, '--run', run, '--method', 'cgan-full', '--steps', '2', ...TINY]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /fine-tuned 2 steps from .*step-00000002/);
  t.regex(first.stderr, /fine-tuning from .*step-00000002 \(step 2, sha256:/);
  const record = manifest(run).stages.finetune;
  t.is(record.status, 'done');
  const inputs = Object.entries(record.inputs ?? {});
  t.is(inputs.length, 1);
  t.regex(inputs[0][0], /^source:.*step-00000002$/);
  t.regex(inputs[0][1], /^sha256:[0-9a-f]{64}$/);

  // The source trains on: its newest checkpoint is another one.
  t.is(s3gan(['train', '--run', source, '--method', 'cgan-full', '--steps', '4', ...TINY]).code, 0);
  const more = s3gan(['finetune', '--from', source, '--run', run, '--method', 'cgan-full', '--steps', '4', ...TINY]);
  t.is(more.code, 2, more.stderr);
  t.regex(more.stderr, /the fine-tuning source has changed since .* started from it/);
});

test.serial('a target of another class count: the class-sized weights start fresh, one line each', async (t) => {
  const folder = await writeFolder(path.join(root, 'three-classes'), 3, 6, 1);
  const run = path.join(root, 'ft-3');
  const from = path.join(source, 'gan', 'checkpoints', 'step-00000002');
  const result = s3gan(['finetune', '--from', from, '--run', run, '--method', 'cgan-full', '--steps', '1', ...TINY, '--set', 'data.name=image-folder', '--set', `data.path=${folder}`, '--set', 'data.testFraction=0']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /adapted: discriminator d_projection \(embed\): 10 classes in the source, 3 here, initialised fresh/);
  t.regex(result.stderr, /adapted: generator \S+ \(embed_gamma, embed_beta\): 10 classes in the source, 3 here, initialised fresh/);
});

test.serial('a target of another channel count is refused with exit 2, naming both, and nothing is written', async (t) => {
  const folder = await writeFolder(path.join(root, 'rgb'), 2, 6, 3);
  const run = path.join(root, 'ft-rgb');
  const result = s3gan(['finetune', '--from', source, '--run', run, '--method', 'cgan-full', '--steps', '1', ...TINY, '--set', 'data.name=image-folder', '--set', `data.path=${folder}`, '--set', 'data.testFraction=0']);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /^s3gan: error: --from: .* has image channels 1, the target config 3/m);
  t.is(result.stderr.trim().split('\n').filter((line) => line.startsWith('s3gan: error')).length, 1);
  t.false(existsSync(run), 'no run directory');
});

test.serial('s3gan run with finetune.candidates: select-source ranks them by recall, the finetune stage starts from the choice', (t) => {
  const run = path.join(root, 'pipeline');
  const result = s3gan(['run', '--run', run, '--method', 'cgan-full', ...TINY, '--set', 'gan.steps=1', '--set', `finetune.candidates=["${source}"]`, '--set', 'finetune.samples=40']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /rank\s+candidate\s+recall@5\s+precision\s+FID\s+KID/);
  const choice = JSON.parse(readFileSync(path.join(run, 'select-source.json'), 'utf8')) as { chosen: string; k: number; ranking: { recall: number }[] };
  t.is(choice.chosen, source);
  t.is(choice.k, 5);
  t.true(choice.ranking[0].recall >= 0 && choice.ranking[0].recall <= 1);
  const stages = manifest(run).stages;
  t.is(stages['select-source'].status, 'done');
  t.is(stages.finetune.status, 'done');
});

test.serial('select-source prints the ranked table and records it with --run; a candidate that is no GAN is refused with exit 2 and nothing written', (t) => {
  const run = path.join(root, 'choice');
  const ranked = s3gan(['select-source', '--candidates', source, path.join(source, 'gan', 'checkpoints', 'step-00000002'), '--samples', '30', '--run', run, ...TINY]);
  t.is(ranked.code, 0, ranked.stderr);
  t.regex(ranked.stdout, /^1\s+\S+\s+\d\.\d{3}\s+\d\.\d{3}\s+\d+\.\d{2}\s+-?\d\.\d{4}$/m);
  t.regex(ranked.stdout, /^chosen: .*select-source\.json\)$/m);
  const choice = JSON.parse(readFileSync(path.join(run, 'select-source.json'), 'utf8')) as { ranking: { candidate: string; recall: number; precision: number; fid: number; kid: number }[]; samples: number; realSamples: number };
  t.is(choice.ranking.length, 2);
  t.is(choice.samples, 30);
  t.is(choice.realSamples, 30);
  t.true(choice.ranking[0].recall >= choice.ranking[1].recall);

  // A method that trains on the labelled subset alone is compared with that subset only.
  const few = path.join(root, 'choice-few');
  const subset = s3gan(['select-source', '--candidates', source, '--samples', '30', '--run', few, ...TINY, '--set', 'gan.method=cgan-few', '--set', 'labels.perClass=1']);
  t.is(subset.code, 0, subset.stderr);
  t.is((JSON.parse(readFileSync(path.join(few, 'select-source.json'), 'utf8')) as { realSamples: number }).realSamples, 10);

  const missing = path.join(root, 'choice-missing');
  const refused = s3gan(['select-source', '--candidates', source, path.join(root, 'nothing-here'), '--run', missing, ...TINY]);
  t.is(refused.code, 2, refused.stderr);
  t.regex(refused.stderr, /^s3gan: error: --candidates: .*nothing-here is neither a run directory/m);
  t.false(existsSync(missing));
});
