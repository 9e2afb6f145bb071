import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, s3gan, tempDir, runMetrics } from './helpers.js';

/** The whole s3gan pipeline small enough for the cpu backend: MNIST resized to 8×8, width 2. */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'labels.perClass=4',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.steps=4',
  '--set', 'pretrain.heldOutFraction=0.002',
  '--set', 'pretrain.logEverySteps=2',
  '--set', 'pretrain.logHeldOutImages=16',
  '--set', 'pretrain.checkpointEverySteps=2',
  '--set', 'pseudoLabel.folds=2',
  '--set', 'pseudoLabel.l2Strengths=[0.01,1]',
  '--set', 'gan.method=s3gan',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=16',
  '--set', 'gan.steps=4',
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'gan.checkpointEverySteps=2',
];

function json<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Starts `s3gan run` and SIGKILLs it as soon as `file` exists inside the run directory. */
async function killWhen(run: string, file: string): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'run', '--run', run, ...TINY], { stdio: 'ignore', env: { ...process.env, S3GAN_QUIET_BACKEND: '1' } });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  while (!existsSync(path.join(run, file)) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  if ((await exited) !== 'SIGKILL') throw new Error(`the run finished before ${file} appeared`);
}

test.serial('run: pretrain → pseudo-label → GAN in one directory; a rerun skips every stage', (t) => {
  const run = path.join(tempDir('s3gan-cli-run-'), 'run');
  const first = s3gan(['run', '--run', run, ...TINY]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, /\[1\/3\] pretrain\n[\s\S]*\[2\/3\] pseudo-label\n[\s\S]*\[3\/3\] gan\n/);
  t.regex(first.stdout, /pretrain:\n {2}rotation encoder: held-out rotation accuracy/);
  t.regex(first.stdout, /pseudo-label:\n {2}pseudo-labels: linear classifier .* fitted on 40 labels/);
  t.regex(first.stdout, /raw-pixel baseline/);
  t.regex(first.stdout, /gan:\n {2}GAN \(s3gan\): 4 steps/);
  for (const artifact of ['pretrain/report.json', 'labels/labels.json', 'labels/report.json', 'labels/report.txt', 'gan/export/generator-ema/model.json']) {
    t.true(existsSync(path.join(run, artifact)), artifact);
  }
  const manifest = json<{ stages: Record<string, { status: string }> }>(path.join(run, 'manifest.json'));
  for (const stage of ['pretrain', 'labels', 'pseudo-label', 'gan']) t.is(manifest.stages[stage]?.status, 'done', stage);

  // The labels file: one label per training image by id; the labelled subset keeps its true labels.
  const labels = json<{ ids: string[]; labels: number[]; confidences: number[] }>(path.join(run, 'labels/labels.json'));
  const subset = json<{ ids: string[]; labels: number[] }>(path.join(run, 'labels/labelled-subset.json'));
  t.is(labels.ids.length, 60_000);
  const position = new Map(labels.ids.map((id, i) => [id, i]));
  subset.ids.forEach((id, k) => {
    const i = position.get(id) as number;
    t.is(labels.labels[i], subset.labels[k]);
    t.is(labels.confidences[i], 1);
  });
  const report = json<{ unlabelledTrain: { total: number; accuracy: number }; test: { total: number }; rawPixelBaseline: { unlabelledTrain: { accuracy: number } } }>(
    path.join(run, 'labels/report.json'),
  );
  t.is(report.unlabelledTrain.total, 60_000 - 40);
  t.is(report.test.total, 10_000);
  // 40 labels on 8×8 MNIST: even raw pixels beat chance (10%) clearly.
  t.true(report.rawPixelBaseline.unlabelledTrain.accuracy > 0.3, String(report.rawPixelBaseline.unlabelledTrain.accuracy));

  const logged = runMetrics(run);
  const again = s3gan(['run', '--run', run, ...TINY]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /pretrain \(already done\)/);
  t.regex(again.stdout, /pseudo-label \(already done\)/);
  t.regex(again.stdout, /gan \(already done\)/);
  t.deepEqual(runMetrics(run), logged, 'a finished run logs nothing more');
});

test.serial('run killed inside pretraining, then inside GAN training: each rerun resumes, and the result equals an uninterrupted run', async (t) => {
  const whole = path.join(tempDir('s3gan-cli-run-whole-'), 'run');
  t.is(s3gan(['run', '--run', whole, ...TINY]).code, 0);

  const killed = path.join(tempDir('s3gan-cli-run-killed-'), 'run');
  await killWhen(killed, 'pretrain/checkpoints/step-00000002');
  t.false(existsSync(path.join(killed, 'labels/labels.json')));
  await killWhen(killed, 'gan/checkpoints/step-00000002');
  const rerun = s3gan(['run', '--run', killed, ...TINY]);
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(rerun.stdout, /pretrain \(already done\)/);
  t.regex(rerun.stdout, /pseudo-label \(already done\)/);
  t.deepEqual(json<{ labels: number[] }>(path.join(killed, 'labels/labels.json')).labels, json<{ labels: number[] }>(path.join(whole, 'labels/labels.json')).labels);
  t.deepEqual(runMetrics(killed), runMetrics(whole));
});

test('pseudo-label without a pretrained encoder says which command to run, and writes nothing', (t) => {
  const run = path.join(tempDir('s3gan-cli-pl-'), 'run');
  const result = s3gan(['pseudo-label', '--run', run, ...TINY]);
  t.is(result.code, 2);
  t.regex(result.stderr, /needs the pretrained encoder .*pretrain\/encoder.*run `s3gan pretrain`/);
  t.false(existsSync(path.join(run, 'labels/labels.json')));
});

test.serial('pseudo-label with the s4l classifier fine-tunes the pretrained encoder and labels every image (soft labels too)', (t) => {
  const run = path.join(tempDir('s3gan-cli-s4l-'), 'run');
  const pretrain = s3gan(['pretrain', '--run', run, ...TINY]);
  t.is(pretrain.code, 0, pretrain.stderr);
  const S4L = ['--set', 'pseudoLabel.classifier=s4l', '--set', 'pseudoLabel.s4lSteps=3', '--set', 'pseudoLabel.output=soft'];
  const result = s3gan(['pseudo-label', '--run', run, ...TINY, ...S4L]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /pseudo-labels for mnist: S4L classifier \(encoder fine-tuned 3 steps .*head on block 3\) on 40 labels/);
  t.regex(result.stderr, /s4l: 3 steps in/);

  const labels = json<{ ids: string[]; labels: number[]; confidences: number[]; probabilities: number[][]; source: string }>(path.join(run, 'labels/labels.json'));
  const subset = json<{ ids: string[]; labels: number[] }>(path.join(run, 'labels/labelled-subset.json'));
  t.is(labels.ids.length, 60_000);
  t.is(labels.probabilities.length, 60_000);
  t.regex(labels.source, /^S4L classifier/);
  const position = new Map(labels.ids.map((id, i) => [id, i]));
  subset.ids.forEach((id, k) => {
    const i = position.get(id) as number;
    t.is(labels.labels[i], subset.labels[k]);
    t.is(labels.confidences[i], 1);
    t.deepEqual(labels.probabilities[i], Array.from({ length: 10 }, (_, c) => (c === subset.labels[k] ? 1 : 0)));
  });
  const report = json<{
    source: string;
    block: number;
    l2: number | null;
    unlabelledTrain: { total: number; accuracy: number };
    test: { total: number; accuracy: number };
    rawPixelBaseline: { unlabelledTrain: { accuracy: number } } | null;
  }>(path.join(run, 'labels/report.json'));
  t.is(report.source, 'classifier-s4l');
  t.is(report.block, 3);
  t.is(report.l2, null);
  t.is(report.unlabelledTrain.total, 60_000 - 40);
  t.is(report.test.total, 10_000);
  t.true(report.rawPixelBaseline !== null, 'the raw-pixel baseline is still reported');

  // The same settings again: the labels on disk are reused.
  t.regex(s3gan(['pseudo-label', '--run', run, ...TINY, ...S4L]).stdout, /already labelled with these settings/);
});

test('run --dry-run names the pipeline of the method; an unknown method is refused with a suggestion', (t) => {
  const dry = s3gan(['run', '--dry-run', '--method', 's3gan-co', '--run', 'runs/x']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /would run s3gan-co on mnist with labels\.fraction=0\.01: gan → /);
  const kmeans = s3gan(['run', '--dry-run', '--method', 'cgan-kmeans', '--run', 'runs/x']);
  t.regex(kmeans.stdout, /pretrain → pseudo-label → gan/);
  const bad = s3gan(['run', '--dry-run', '--method', 's3gann']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /gan\.method.*s3gan/);
  t.regex(s3gan(['run', '--help']).stdout, /s3gan run --config quickstart/);
});
