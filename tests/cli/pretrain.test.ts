import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { s3gan, tempDir } from './helpers.js';

/** Rotation pretraining small enough for the cpu backend: MNIST resized to 8×8, width 2. */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.heldOutFraction=0.002',
  '--set', 'pretrain.logEverySteps=2',
  '--set', 'pretrain.logHeldOutImages=16',
  '--set', 'pretrain.checkpointEverySteps=2',
];

function json<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

test('pretrain writes the encoder, the report and the manifest stage; a rerun skips; more steps resume', (t) => {
  const run = path.join(tempDir('s3gan-cli-pretrain-'), 'run');
  const first = s3gan(['pretrain', '--run', run, '--steps', '4', ...TINY]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /pretrained 4 steps \(32 images × 4 rotations\)/);
  t.regex(first.stdout, /held-out rotation accuracy: \d+\.\d% on 120 images/);
  t.true(existsSync(path.join(run, 'pretrain/encoder/model.json')));
  t.true(existsSync(path.join(run, 'pretrain/checkpoints/step-00000004/state.json')));
  const report = json<Record<string, unknown>>(path.join(run, 'pretrain/report.json'));
  t.like(report, { steps: 4, imagesSeen: 32, heldOutImages: 120, trainImages: 59880, blockFeatureSizes: [2, 4, 8, 16], encoder: 'pretrain/encoder', architecture: 'convnet' });
  t.true((report.heldOutRotationAccuracy as number) >= 0 && (report.heldOutRotationAccuracy as number) <= 1);
  const manifest = json<{ stages: Record<string, { status: string; configHash: string; artifacts: string[] }>; backend: { name: string } }>(path.join(run, 'manifest.json'));
  t.is(manifest.stages.pretrain.status, 'done');
  t.is(manifest.stages.pretrain.configHash, report.configHash as string);
  t.true(manifest.stages.pretrain.artifacts.includes('pretrain/encoder'));
  t.is(manifest.backend.name, 'cpu');
  const metrics = () => readFileSync(path.join(run, 'metrics.jsonl'), 'utf8');
  const logged = metrics();
  t.deepEqual(logged.trim().split('\n').map((line) => (JSON.parse(line) as { step: number }).step), [2, 4]);

  const again = s3gan(['pretrain', '--run', run, '--steps', '4', ...TINY]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /already pretrained: 4 steps/);
  t.is(metrics(), logged, 'a skipped stage logs nothing');

  const more = s3gan(['pretrain', '--run', run, '--steps', '6', ...TINY]);
  t.is(more.code, 0, more.stderr);
  t.regex(more.stdout, /pretrained 6 steps .*resumed from step 4/);
  t.like(json<Record<string, unknown>>(path.join(run, 'pretrain/report.json')), { steps: 6 });
});

test('--help explains the command with examples', (t) => {
  const result = s3gan(['pretrain', '--help']);
  t.is(result.code, 0);
  t.regex(result.stdout, /rotation-prediction encoder/);
  t.regex(result.stdout, /--steps <n>/);
  t.regex(result.stdout, /Examples:\n {2}s3gan pretrain --config configs\/mnist\.yaml/);
  t.regex(s3gan(['--help']).stdout, /s3gan pretrain --config/);
});

test('a bad --steps value exits 2 with a message naming the flag', (t) => {
  for (const value of ['abc', '0', '2.5', '-3']) {
    const result = s3gan(['pretrain', '--dry-run', '--steps', value]);
    t.is(result.code, 2, value);
    t.regex(result.stderr, /--steps/, value);
  }
});

test('--dry-run says what would be trained, and writes nothing', (t) => {
  const run = path.join(tempDir('s3gan-cli-pretrain-dry-'), 'run');
  const result = s3gan(['pretrain', '--dry-run', '--run', run, '--steps', '7', '--set', 'pretrain.architecture=resnet']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /would pretrain resnet width 32 on mnist at 32px: 7 steps of 64 images × 4 rotations/);
  t.false(existsSync(run));
});

test('a bad pretrain key is refused naming it', (t) => {
  const result = s3gan(['pretrain', '--dry-run', '--set', 'pretrain.architecture=vgg']);
  t.is(result.code, 2);
  t.regex(result.stderr, /pretrain\.architecture/);
});
