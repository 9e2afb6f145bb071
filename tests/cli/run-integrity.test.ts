/**
 * A wrong command never spoils a run: every refusal exits 2 with a message naming the flag, key or
 * file at fault, and leaves the run directory byte-identical; the run's own config is reused by
 * every stage command; a changed config is recorded when a stage starts with it.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, dirSnapshot, s3gan, tempDir, TINY } from './helpers.js';

/** Rotation pretraining small enough for the cpu backend. */
const TINY_PRETRAIN = [
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

interface ManifestJson {
  stages: Record<string, { status: string; inputs?: Record<string, string> }>;
  configChanges?: { stage?: string; changes: { key: string; from?: unknown; to?: unknown }[] }[];
}

function manifest(run: string): ManifestJson {
  return JSON.parse(readFileSync(path.join(run, 'manifest.json'), 'utf8')) as ManifestJson;
}

test('a rejected --set on a trained run changes nothing; the plain command then resumes; a later change is recorded', (t) => {
  const run = path.join(tempDir('s3gan-integrity-'), 'run');
  const first = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '4', ...TINY]);
  t.is(first.code, 0, first.stderr);
  const before = dirSnapshot(run);

  const wider = s3gan(['train', '--run', run, '--set', 'gan.width=4', '--steps', '5']);
  t.is(wider.code, 2, wider.stderr);
  t.regex(wider.stderr, /checkpoint .*step-00000004.* does not fit the configured networks \(was gan\.architecture, gan\.width/);
  t.notRegex(wider.stderr, /\n\s+at /, 'no stack trace');
  t.deepEqual(dirSnapshot(run), before, 'the run directory is byte-identical');

  const plain = s3gan(['train', '--run', run, '--steps', '6']);
  t.is(plain.code, 0, plain.stderr);
  t.regex(plain.stdout, /trained 6 steps .*resumed from step 4/);
  const changes = manifest(run).configChanges ?? [];
  t.is(changes.length, 1, 'the one accepted change');
  t.is(changes[0].stage, 'gan');
  t.deepEqual(changes[0].changes, [{ key: 'gan.steps', from: 4, to: 6 }]);
  t.is(manifest(run).stages.gan.status, 'done');
});

test('a stage refused before it starts leaves no run directory behind', (t) => {
  const run = path.join(tempDir('s3gan-integrity-'), 'fresh', 'run');
  // Batch 16: the rotation methods' batch rule would refuse 8 before the labels are looked for.
  const result = s3gan(['train', '--run', run, '--method', 's3gan', '--steps', '1', ...TINY, '--set', 'gan.batchSize=16']);
  t.is(result.code, 2);
  t.regex(result.stderr, /labels\/labels\.json, which does not exist/);
  t.false(existsSync(path.dirname(run)), 'neither the run directory nor the parent it needed');
});

test('pretrain --run without --config continues with the run config; a refused width leaves the run untouched', (t) => {
  const run = path.join(tempDir('s3gan-integrity-'), 'run');
  const first = s3gan(['pretrain', '--run', run, '--steps', '2', ...TINY_PRETRAIN]);
  t.is(first.code, 0, first.stderr);
  const before = dirSnapshot(run);

  const again = s3gan(['pretrain', '--run', run]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /already pretrained: 2 steps/);
  t.deepEqual(dirSnapshot(run), before, 'a skipped stage writes nothing');

  const wider = s3gan(['pretrain', '--run', run, '--steps', '4', '--set', 'pretrain.width=4']);
  t.is(wider.code, 2, wider.stderr);
  t.regex(wider.stderr, /does not fit the configured encoder \(was pretrain\.architecture or pretrain\.width changed\?\)/);
  t.deepEqual(dirSnapshot(run), before);

  const more = s3gan(['pretrain', '--run', run, '--steps', '4']);
  t.is(more.code, 0, more.stderr);
  t.regex(more.stdout, /pretrained 4 steps .*resumed from step 2/);
});

test('labels.perClass replaces a fraction set by the defaults of a stored run config or by a preset', (t) => {
  const run = path.join(tempDir('s3gan-integrity-'), 'run');
  const made = s3gan(['labels', '--run', run, '--set', 'backend.name=cpu']);
  t.is(made.code, 0, made.stderr);
  const stored = JSON.parse(readFileSync(path.join(run, 'resolved-config.json'), 'utf8')) as { labels: { fraction?: number } };
  t.is(stored.labels.fraction, 0.01, 'the run stores the default fraction');

  const perClass = s3gan(['labels', '--run', run, '--set', 'labels.perClass=5']);
  t.is(perClass.code, 0, perClass.stderr);
  t.regex(perClass.stdout, /labelled subset: 50 images \(5\/5\/5\/5\/5\/5\/5\/5\/5\/5 per class\)/);
  const changed = manifest(run).configChanges?.at(-1)?.changes;
  t.deepEqual(changed, [
    { key: 'labels.fraction', from: 0.01 },
    { key: 'labels.perClass', to: 5 },
  ]);

  const preset = s3gan(['labels', '--config', 'mnist', '--set', 'labels.perClass=5', '--dry-run']);
  t.is(preset.code, 0, preset.stderr);
  t.regex(preset.stdout, /labels\.perClass=5/);

  const both = s3gan(['labels', '--set', 'labels.perClass=5', '--set', 'labels.fraction=0.1', '--dry-run']);
  t.is(both.code, 2, 'one source setting both is still refused');
  t.regex(both.stderr, /labels\.fraction and labels\.perClass exclude each other/);
});

test('resuming the GAN on labels other than those it trained on is refused, naming the file', (t) => {
  const run = path.join(tempDir('s3gan-integrity-'), 'run');
  const first = s3gan(['train', '--run', run, '--method', 'cgan-few', '--steps', '2', '--set', 'labels.perClass=2', ...TINY]);
  t.is(first.code, 0, first.stderr);
  t.regex(manifest(run).stages.gan.inputs?.['labels/labelled-subset.json'] ?? '', /^sha256:[0-9a-f]{64}$/);

  // The subset is chosen again with another budget: the GAN's checkpoints belong to the old one.
  const relabel = s3gan(['labels', '--run', run, '--set', 'labels.perClass=3']);
  t.is(relabel.code, 0, relabel.stderr);
  const before = dirSnapshot(run);
  const resumed = s3gan(['train', '--run', run, '--steps', '4']);
  t.is(resumed.code, 2, resumed.stderr);
  t.regex(resumed.stderr, /labels\/labelled-subset\.json has changed since the GAN .* started training on it/);
  t.regex(resumed.stderr, /delete .*gan\/checkpoints to train the GAN afresh/);
  t.deepEqual(dirSnapshot(run), before);
});

test('a .lock that is a directory exits 2 naming it and changes nothing', (t) => {
  const run = tempDir('s3gan-integrity-');
  mkdirSync(path.join(run, '.lock'));
  const before = dirSnapshot(run);
  const result = s3gan(['labels', '--run', run, '--set', 'backend.name=cpu', '--set', 'labels.perClass=1']);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /lock file .*\/\.lock is a directory, not a lock file: remove it/);
  t.deepEqual(dirSnapshot(run), before);
});

test('a run directory where no directory can be made exits 2 at once with the real cause', (t) => {
  if (!existsSync('/proc/self')) {
    t.pass('no /proc here');
    return;
  }
  // Recursive mkdir spins for ever under /proc: the timeout turns a hang into a failure.
  const result = spawnSync(process.execPath, [CLI, 'labels', '--run', '/proc/s3gan-test/run', '--set', 'labels.perClass=1'], { encoding: 'utf8', timeout: 60_000 });
  t.is(result.status, 2, result.stderr);
  t.regex(result.stderr, /cannot create run directory \/proc\/s3gan-test\/run: cannot create \/proc\/s3gan-test: the file system of \/proc does not allow creating directories \(config key run\.dir\)/);
});
