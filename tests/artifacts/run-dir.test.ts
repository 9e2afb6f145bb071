import test from 'ava';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LOCK_FILE } from '../../src/artifacts/lock.js';
import { readManifest } from '../../src/artifacts/manifest.js';
import { openRunDir } from '../../src/artifacts/run-dir.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';
import { EVAL_DIR, GAN_CHECKPOINTS_DIR, GAN_SAMPLES_DIR, LABELS_DIR, MANIFEST_FILE, METRICS_FILE, PRETRAIN_DIR, RESOLVED_CONFIG_FILE } from '../../src/artifacts/run-layout.js';

test('layout names follow the architecture document', (t) => {
  t.deepEqual(
    [RESOLVED_CONFIG_FILE, MANIFEST_FILE, PRETRAIN_DIR, LABELS_DIR, GAN_CHECKPOINTS_DIR, GAN_SAMPLES_DIR, METRICS_FILE, EVAL_DIR],
    ['resolved-config.json', 'manifest.json', 'pretrain', 'labels', 'gan/checkpoints', 'gan/samples', 'metrics.jsonl', 'eval'],
  );
});

test('openRunDir creates the directory and lock; the resolved config and manifest appear at the commit', async (t) => {
  const root = tempDir('s3gan-rundir-');
  const dir = path.join(root, 'runs', 'exp1');
  const run = await openRunDir(dir, { resolvedConfig: { seed: 3, run: { dir } }, configHash: 'abc' });
  t.is(run.path, dir);
  t.is(run.configHash, 'abc');
  t.deepEqual(await fs.readdir(dir), [LOCK_FILE]);
  t.is((await run.manifest()).runName, 'exp1', 'the manifest a commit would write');
  await run.commit('pretrain');
  t.deepEqual((await fs.readdir(dir)).sort(), [LOCK_FILE, MANIFEST_FILE, RESOLVED_CONFIG_FILE].sort());
  t.deepEqual(JSON.parse(await fs.readFile(path.join(dir, RESOLVED_CONFIG_FILE), 'utf8')), { seed: 3, run: { dir } });
  const manifest = await run.manifest();
  t.is(manifest.version, 1);
  t.is(manifest.runName, 'exp1');
  t.is(manifest.nodeVersion, process.version);
  t.is(manifest.s3ganVersion, '0.1.0');
  t.is(manifest.backend, null);
  t.deepEqual(manifest.stages, {});
  await run.close();
  await run.close();
  t.deepEqual((await fs.readdir(dir)).sort(), [MANIFEST_FILE, RESOLVED_CONFIG_FILE].sort());
});

test('file() resolves inside the run and refuses paths that leave it; ensureDir creates folders', async (t) => {
  const dir = tempDir('s3gan-rundir-');
  const run = await openRunDir(dir, { resolvedConfig: {} });
  t.is(run.file(GAN_SAMPLES_DIR), path.join(dir, 'gan', 'samples'));
  t.throws(() => run.file('../outside'), { message: /escapes the run/ });
  t.throws(() => run.file('/etc/passwd'), { message: /must be relative/ });
  const created = await run.ensureDir(GAN_CHECKPOINTS_DIR);
  t.true((await fs.stat(created)).isDirectory());
  await run.close();
});

test('stages and backend are recorded; a reopened run keeps its manifest and gets the new config', async (t) => {
  const dir = tempDir('s3gan-rundir-');
  const run = await openRunDir(dir, { resolvedConfig: { a: 1 }, configHash: 'h1' });
  await run.markStage('pretrain', { status: 'running' });
  await run.markStage('pretrain', { status: 'done', artifacts: ['pretrain/model.json'] });
  await run.recordBackend('cpu', 'tfjs 4.22.0, pure JavaScript');
  await run.close();
  await t.throwsAsync(run.manifest(), { message: /used after close/ });

  const reopened = await openRunDir(dir, { resolvedConfig: { a: 2 }, configHash: 'h2' });
  await reopened.markStage('gan', { status: 'running' });
  const manifest = await reopened.manifest();
  t.is(manifest.configChanges?.length, 1);
  t.like(manifest.configChanges?.[0], { stage: 'gan', changes: [{ key: 'a', from: 1, to: 2 }] });
  t.deepEqual(manifest.backend, { name: 'cpu', detail: 'tfjs 4.22.0, pure JavaScript' });
  const stage = manifest.stages.pretrain;
  t.is(stage.status, 'done');
  t.is(stage.configHash, 'h1');
  t.deepEqual(stage.artifacts, ['pretrain/model.json']);
  t.truthy(stage.startedAt && stage.finishedAt);
  t.deepEqual(JSON.parse(await fs.readFile(reopened.file(RESOLVED_CONFIG_FILE), 'utf8')), { a: 2 });
  await reopened.close();
});

test('concurrent markStage calls on one RunDir are all kept', async (t) => {
  const dir = tempDir('s3gan-rundir-');
  const run = await openRunDir(dir, { resolvedConfig: {} });
  await Promise.all(['a', 'b', 'c', 'd'].map((stage) => run.markStage(stage, { status: 'pending' })));
  t.deepEqual(Object.keys((await readManifest(dir)).stages).sort(), ['a', 'b', 'c', 'd']);
  await run.close();
});

test('a run directory under a regular file is a UserError naming it and run.dir', async (t) => {
  const root = tempDir('s3gan-rundir-');
  const file = path.join(root, 'file');
  await fs.writeFile(file, 'x');
  const dir = path.join(file, 'run');
  const error = await t.throwsAsync(openRunDir(dir, { resolvedConfig: {} }), { instanceOf: UserError });
  t.is(error?.message, `cannot create run directory ${dir}: ${file} is not a directory (config key run.dir)`);
});

test('a run directory path that is a regular file is a UserError naming it and run.dir', async (t) => {
  const root = tempDir('s3gan-rundir-');
  const file = path.join(root, 'file');
  await fs.writeFile(file, 'x');
  const error = await t.throwsAsync(openRunDir(file, { resolvedConfig: {} }), { instanceOf: UserError });
  t.is(error?.message, `run directory ${file} exists but is not a directory (config key run.dir)`);
});

test('a corrupt manifest is reported at open, naming the file, and the lock is let go', async (t) => {
  const dir = tempDir('s3gan-rundir-');
  await fs.writeFile(path.join(dir, MANIFEST_FILE), '{"version": 1, "runName": ');
  const error = await t.throwsAsync(openRunDir(dir, { resolvedConfig: {} }), { instanceOf: UserError });
  t.regex(error?.message ?? '', new RegExp(`^manifest ${path.join(dir, MANIFEST_FILE)} is corrupt \\(not valid JSON`));
  await t.throwsAsync(fs.stat(path.join(dir, LOCK_FILE)), { code: 'ENOENT' });
});
