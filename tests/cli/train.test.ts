import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { s3gan, tempDir, TINY } from './helpers.js';


function steps(run: string): number[] {
  return readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { stage: string; step: number })
    .filter((record) => record.stage === 'gan')
    .map((record) => record.step);
}

test('train writes checkpoints, samples and the export; a rerun with more steps resumes; sample draws a row per class', async (t) => {
  const run = path.join(tempDir('s3gan-cli-train-'), 'run');
  const first = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '3', ...TINY]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /trained 3 steps \(24 real images seen\)/);
  t.true(existsSync(path.join(run, 'gan/samples/step-00000003.png')));
  t.true(existsSync(path.join(run, 'gan/export/generator-ema/model.json')));
  const manifest = JSON.parse(readFileSync(path.join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { status: string }> };
  t.is(manifest.stages.gan.status, 'done');

  const again = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '3', ...TINY]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /already trained: 3 steps/);

  const more = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '5', ...TINY]);
  t.is(more.code, 0, more.stderr);
  t.regex(more.stdout, /resumed from step 3/);
  t.deepEqual(steps(run), [1, 2, 3, 4, 5]);

  const out = path.join(run, 'grid.png');
  const sample = s3gan(['sample', '--run', run, '--ema', '-n', '20', '--scale', '1', '--out', out, '--set', 'backend.name=cpu']);
  t.is(sample.code, 0, sample.stderr);
  const meta = await sharp(out).metadata();
  // 10 rows (classes) × 2 columns of 8×8 images with 2 pixels of padding, after a margin for the
  // class names: one character of the 8-pixel font (5 pixels) and a padding.
  t.is(meta.height, 10 * 8 + 11 * 2);
  t.is(meta.width, 5 + 2 + 2 * 8 + 3 * 2);

  const badClass = s3gan(['sample', '--run', run, '--class', '10', '--out', out]);
  t.is(badClass.code, 2);
  t.regex(badClass.stderr, /--class 10: the generator has classes 0\.\.9/);
});

test('a method that needs pseudo-labels says which file is missing and what makes it', (t) => {
  const run = path.join(tempDir('s3gan-cli-train-'), 'run');
  // A batch of 16 meets s3gan's rotation constraint (TINY's 8 does not, and that is checked first).
  const result = s3gan(['train', '--run', run, '--method', 's3gan', '--steps', '1', ...TINY, '--set', 'gan.batchSize=16']);
  t.is(result.code, 2);
  t.regex(result.stderr, /labels\/labels\.json, which does not exist: run the pseudo-label stage first/);
});

test('an unknown method is refused with the nearest name', (t) => {
  const result = s3gan(['train', '--method', 's3gan-c0', '--dry-run']);
  t.is(result.code, 2);
  t.regex(result.stderr, /s3gan-co/);
});

test('sample on a run without checkpoints tells the user to train first', (t) => {
  const run = tempDir('s3gan-cli-empty-');
  const result = s3gan(['sample', '--run', run, '--out', path.join(run, 'x.png')]);
  t.is(result.code, 2);
  t.regex(result.stderr, /no checkpoint in .*: train first/);
  t.false(existsSync(path.join(run, 'x.png')));
});

test('SIGKILL in the middle of training, then a rerun: the metrics equal those of an uninterrupted run', async (t) => {
  const { spawn } = await import('node:child_process');
  const { CLI } = await import('./helpers.js');
  const args = (run: string) => ['train', '--run', run, '--method', 'cgan-full', '--steps', '12', ...TINY];
  const whole = path.join(tempDir('s3gan-cli-whole-'), 'run');
  t.is(s3gan(args(whole)).code, 0);

  const killed = path.join(tempDir('s3gan-cli-killed-'), 'run');
  const child = spawn(process.execPath, [CLI, ...args(killed)], { stdio: 'ignore', env: { ...process.env, S3GAN_QUIET_BACKEND: '1' } });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // Kill once the second checkpoint (step 4) exists: wherever the process is then, nothing may be lost.
  while (!existsSync(path.join(killed, 'gan/checkpoints/step-00000004')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  t.is(await exited, 'SIGKILL', 'the run was killed before it finished');

  const rerun = s3gan(args(killed));
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(rerun.stdout, /resumed from step \d+/);
  const numbers = (run: string) =>
    readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const { time: _time, imagesPerSecond: _rate, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      });
  t.deepEqual(numbers(killed), numbers(whole));
});

test('an unknown gradient penalty is refused in one line naming gan.penalty, and the run directory is not created', (t) => {
  const run = path.join(tempDir('s3gan-cli-penalty-'), 'run');
  const result = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '1', ...TINY, '--set', 'gan.penalty=wgan']);
  t.is(result.code, 2);
  t.regex(result.stderr, /gan\.penalty.*wgan-gp/);
  t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.false(existsSync(run));
});
