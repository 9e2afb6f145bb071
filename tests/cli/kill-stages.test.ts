import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, s3gan, tempDir, runMetrics } from './helpers.js';
import { writeMnistSubset } from './mnist-idx.js';

const root = tempDir('s3gan-cli-kill-stages-');
const mnistDir = writeMnistSubset(path.join(root, 'mnist-small'), { train: 400, test: 200 });

/** The s3gan pipeline on the MNIST subset, with S4L pseudo-labelling (a loop long enough to be killed in). */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', `data.path=${mnistDir}`,
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'labels.perClass=4',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.steps=4',
  '--set', 'pretrain.heldOutFraction=0.05',
  '--set', 'pretrain.logEverySteps=2',
  '--set', 'pretrain.logHeldOutImages=8',
  '--set', 'pseudoLabel.classifier=s4l',
  '--set', 'pseudoLabel.s4lSteps=40',
  '--set', 'pseudoLabel.s4lBatchSize=8',
  '--set', 'pseudoLabel.s4lLabelledBatchSize=8',
  '--set', 'pseudoLabel.folds=2',
  '--set', 'pseudoLabel.l2Strengths=[0.01,1]',
  '--set', 'gan.method=s3gan',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=16',
  '--set', 'gan.steps=2',
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
];
/** Evaluation small enough for tests. */
const TINY_EVAL = ['--set', 'eval.network=trained', '--set', 'eval.classifierWidth=2', '--set', 'eval.classifierEpochs=3', '--samples', '200'];

function json<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Starts the CLI and SIGKILLs it as soon as its stderr contains `marker`; returns what it printed. */
async function killWhenPrinted(args: readonly string[], marker: string, cacheHome: string): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, XDG_CACHE_HOME: cacheHome, S3GAN_QUIET_BACKEND: '1' } });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(marker)) resolve();
    });
    child.on('close', () => resolve());
  });
  child.kill('SIGKILL');
  if ((await exited) !== 'SIGKILL') throw new Error(`the command finished before printing '${marker}':\n${stderr}`);
  return { stdout, stderr };
}

/** eval/results.json without the fields that measure time. */
function evalNumbers(run: string): unknown {
  const { createdAt: _created, throughput: _throughput, seconds: _seconds, classifier, ...rest } = json<Record<string, unknown>>(path.join(run, 'eval/results.json'));
  const { trainSeconds: _trainSeconds, ...classifierRest } = classifier as Record<string, unknown>;
  return { ...rest, classifier: classifierRest };
}

test.serial('run killed during pseudo-labelling: the pretrain summary was already printed, and the rerun redoes the labels to equal an uninterrupted run', async (t) => {
  const cacheHome = path.join(root, 'cache-pl');
  const whole = path.join(root, 'pl-whole');
  const first = s3gan(['run', '--run', whole, ...TINY], { cacheHome });
  t.is(first.code, 0, first.stderr);

  const killed = path.join(root, 'pl-killed');
  // The S4L loop announces itself before its first step.
  const output = await killWhenPrinted(['run', '--run', killed, ...TINY], 's4l: 0/40 steps, starting', cacheHome);
  t.false(existsSync(path.join(killed, 'labels/labels.json')), 'killed before the labels were written');
  t.false(existsSync(path.join(killed, 'labels/report.json')));
  t.is(json<{ stages: Record<string, { status: string }> }>(path.join(killed, 'manifest.json')).stages['pseudo-label']?.status, 'running');
  // Each stage's summary is printed as it ends, not when the whole run does.
  t.regex(output.stdout, /^pretrain:\n {2}rotation encoder: held-out rotation accuracy/);

  const rerun = s3gan(['run', '--run', killed, ...TINY], { cacheHome });
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(rerun.stdout, /pretrain \(already done\)/);
  t.notRegex(rerun.stdout, /pseudo-label \(already done\)/);
  t.deepEqual(json<{ labels: number[] }>(path.join(killed, 'labels/labels.json')).labels, json<{ labels: number[] }>(path.join(whole, 'labels/labels.json')).labels);
  const accuracy = (run: string) => json<{ unlabelledTrain: unknown; test: unknown }>(path.join(run, 'labels/report.json'));
  t.deepEqual(accuracy(killed).unlabelledTrain, accuracy(whole).unlabelledTrain);
  t.deepEqual(accuracy(killed).test, accuracy(whole).test);
  t.deepEqual(runMetrics(killed), runMetrics(whole));
});

test.serial('eval killed while training its domain classifier: no results or cache are half-written, and the rerun equals an uninterrupted evaluation', async (t) => {
  const run = path.join(root, 'eval-run');
  const trained = s3gan(['train', '--run', run, '--steps', '2', ...TINY, '--set', 'gan.method=cgan-full'], { cacheHome: path.join(root, 'cache-eval-a') });
  t.is(trained.code, 0, trained.stderr);
  const whole = s3gan(['eval', '--run', run, ...TINY_EVAL], { cacheHome: path.join(root, 'cache-eval-a') });
  t.is(whole.code, 0, whole.stderr);
  const expected = evalNumbers(run);
  rmSync(path.join(run, 'eval/results.json'));

  // Another cache (the run's config records the first), so the domain classifier is trained again, and killed while it is.
  const cacheHome = path.join(root, 'cache-eval-b');
  const args = ['eval', '--run', run, ...TINY_EVAL, '--set', `data.cacheDir=${path.join(cacheHome, 's3gan')}`];
  await killWhenPrinted(args, 'domain classifier: training', cacheHome);
  t.false(existsSync(path.join(run, 'eval/results.json')));
  const rerun = s3gan(args, { cacheHome });
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(rerun.stderr, /domain classifier: training/, 'nothing of the killed training was taken for a finished classifier');
  t.deepEqual(evalNumbers(run), expected);
});
