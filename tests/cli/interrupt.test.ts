import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, s3gan, tempDir, runMetrics } from './helpers.js';
import { writeMnistSubset } from './mnist-idx.js';

const root = tempDir('s3gan-cli-interrupt-');
const mnistDir = writeMnistSubset(path.join(root, 'mnist-small'), { train: 400, test: 100 });
const cacheHome = path.join(root, 'cache');

/** Tiny pretraining and GAN on the MNIST subset; step checkpoints only far away, so a stop's checkpoint is the only one. */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', `data.path=${mnistDir}`,
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.heldOutFraction=0.05',
  '--set', 'pretrain.logEverySteps=2',
  '--set', 'pretrain.logHeldOutImages=8',
  '--set', 'pretrain.checkpointEverySteps=100000',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=8',
  '--set', 'gan.logEverySteps=2',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'gan.checkpointEverySteps=100000',
];

/**
 * Starts the CLI, sends `signal` once `file` in the run directory holds a record (not merely
 * exists: a log may be created a moment before the loop starts listening), and waits for the exit.
 */
async function signalWhen(args: readonly string[], file: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, XDG_CACHE_HOME: cacheHome, S3GAN_QUIET_BACKEND: '1' } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const hasRecord = () => existsSync(file) && statSync(file).size > 0;
  while (!hasRecord() && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  child.kill(signal);
  return { code: await exited, stderr, stdout };
}

test.serial('Ctrl-C during pretraining: a checkpoint at the step reached, exit 130, the lock released; the rerun continues from that step and equals an uninterrupted run', async (t) => {
  const run = path.join(root, 'pretrain-int');
  const args = (steps: number) => ['pretrain', '--run', run, '--steps', String(steps), ...TINY];
  // Far more steps than it will ever do: SIGINT once the first metrics record (step 2) is logged.
  const stopped = await signalWhen(args(100_000), path.join(run, 'metrics.jsonl'), 'SIGINT');
  t.is(stopped.code, 130, stopped.stderr);
  const match = /s3gan: pretraining interrupted at step (\d+): checkpoint written to (\S+); rerun the same command to continue\n/.exec(stopped.stderr);
  t.truthy(match, stopped.stderr);
  const step = Number(match![1]);
  t.true(step >= 2 && step < 100_000);
  t.is(match![2], path.join(run, 'pretrain/checkpoints', `step-${String(step).padStart(8, '0')}`));
  t.true(existsSync(path.join(match![2], 'state.json')));
  t.regex(stopped.stderr, /SIGINT: stopping after the current step/);
  t.false(existsSync(path.join(run, '.lock')), 'the run lock is released');
  t.false(existsSync(path.join(run, 'pretrain/encoder')));
  const manifest = JSON.parse(readFileSync(path.join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { status: string }> };
  t.is(manifest.stages.pretrain.status, 'running', 'stopped, not failed');
  // The plan and a first progress line come before any step is done.
  t.regex(stopped.stderr, /^pretrain convnet width 2 on mnist at 8px: 100,000 steps/);
  t.regex(stopped.stderr, /pretrain: 0\/100000 steps, starting\n/);

  // Continue to two steps past the stop, and compare with an uninterrupted run of as many steps.
  const resumed = s3gan(args(step + 2), { cacheHome });
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stdout, new RegExp(`pretrained ${step + 2} steps .*resumed from step ${step}\\)`));
  const whole = path.join(root, 'pretrain-whole');
  t.is(s3gan(['pretrain', '--run', whole, '--steps', String(step + 2), ...TINY], { cacheHome }).code, 0);
  t.deepEqual(runMetrics(run), runMetrics(whole));
  const weights = (dir: string) => readFileSync(path.join(dir, 'pretrain/encoder/weights.bin'));
  t.true(weights(run).equals(weights(whole)), 'the final encoder is bit-identical');
});

test.serial('SIGTERM during GAN training: a checkpoint at the step reached, exit 143; the rerun resumes from it', async (t) => {
  const run = path.join(root, 'train-int');
  const args = (steps: number) => ['train', '--run', run, '--method', 'cgan-full', '--steps', String(steps), ...TINY];
  const stopped = await signalWhen(args(100_000), path.join(run, 'metrics.jsonl'), 'SIGTERM');
  t.is(stopped.code, 143, stopped.stderr);
  const match = /s3gan: GAN training interrupted at step (\d+): checkpoint written to \S+step-\d+; rerun the same command to continue\n/.exec(stopped.stderr);
  t.truthy(match, stopped.stderr);
  const step = Number(match![1]);
  t.false(existsSync(path.join(run, '.lock')));
  const resumed = s3gan(args(step + 1), { cacheHome });
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stdout, new RegExp(`trained ${step + 1} steps .*resumed from step ${step}\\)`));
});

test('a fractional pretrain.checkpointEveryMinutes writes checkpoints between the step schedule', (t) => {
  const run = path.join(root, 'pretrain-timed');
  // 0.000001 minutes (60 µs): due after every step; step checkpoints would be at 100,000 only.
  const result = s3gan(['pretrain', '--run', run, '--steps', '3', ...TINY, '--set', 'pretrain.checkpointEveryMinutes=0.000001', '--set', 'pretrain.keepCheckpoints=5'], { cacheHome });
  t.is(result.code, 0, result.stderr);
  t.true(['step-00000001', 'step-00000002', 'step-00000003'].every((name) => existsSync(path.join(run, 'pretrain/checkpoints', name))));
  const refused = s3gan(['pretrain', '--dry-run', '--run', run, '--set', 'pretrain.checkpointEveryMinutes=-1']);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /pretrain\.checkpointEveryMinutes/);
});
