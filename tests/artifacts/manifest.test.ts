import test from 'ava';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { applyStagePatch, createManifest, markStage, readManifest, readManifestIfExists, recordBackend, writeManifest, type Manifest } from '../../src/artifacts/manifest.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';
import { MANIFEST_FILE } from '../../src/artifacts/run-layout.js';

const T0 = new Date('2024-05-01T10:00:00.000Z');
const T1 = new Date('2024-05-01T11:00:00.000Z');

test('createManifest starts empty with versions', (t) => {
  const manifest = createManifest('exp', T0);
  t.deepEqual(manifest, {
    version: 1,
    runName: 'exp',
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    s3ganVersion: '0.1.0',
    nodeVersion: process.version,
    backend: null,
    stages: {},
  });
});

test('applyStagePatch: running stamps startedAt and clears the old outcome; done stamps finishedAt', (t) => {
  const failed = { status: 'failed' as const, artifacts: ['a'], finishedAt: T0.toISOString(), error: 'boom' };
  const running = applyStagePatch(failed, { status: 'running', configHash: 'h' }, T1);
  t.deepEqual(running, { status: 'running', artifacts: ['a'], startedAt: T1.toISOString(), configHash: 'h' });
  const done = applyStagePatch(running, { status: 'done', artifacts: ['b', 'c'] }, T1);
  t.deepEqual(done, {
    status: 'done',
    artifacts: ['b', 'c'],
    startedAt: T1.toISOString(),
    finishedAt: T1.toISOString(),
    configHash: 'h',
  });
  t.deepEqual(applyStagePatch(undefined, { status: 'failed', error: 'out of memory' }, T0), {
    status: 'failed',
    artifacts: [],
    finishedAt: T0.toISOString(),
    error: 'out of memory',
  });
});

test('markStage and recordBackend write the manifest back; readManifest validates it', async (t) => {
  const dir = tempDir('s3gan-manifest-');
  t.is(await readManifestIfExists(dir), undefined);
  await t.throwsAsync(readManifest(dir), { instanceOf: UserError, message: /manifest\.json does not exist/ });
  await writeManifest(dir, createManifest('r', T0));
  await markStage(dir, 'pseudo-label', { status: 'running' });
  const after = await recordBackend(dir, { name: 'cpu', detail: 'tfjs' });
  const read = await readManifest(dir);
  t.deepEqual(read, after);
  t.is(read.stages['pseudo-label'].status, 'running');
  t.deepEqual(read.backend, { name: 'cpu', detail: 'tfjs' });
  t.true(read.updatedAt > T0.toISOString());
  t.is(read.createdAt, T0.toISOString());
  t.true((await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')).endsWith('}\n'));
});

test('a manifest that does not match the schema is a UserError naming the file and field', async (t) => {
  const dir = tempDir('s3gan-manifest-');
  const file = path.join(dir, MANIFEST_FILE);
  const bad = { ...createManifest('r', T0), stages: { train: { status: 'finished', artifacts: [] } } };
  await fs.writeFile(file, JSON.stringify(bad));
  const error = await t.throwsAsync(readManifest(dir), { instanceOf: UserError });
  t.regex(error?.message ?? '', new RegExp(`^manifest ${file} is corrupt or from an incompatible s3gan version: stages\\.train\\.status: `));

  await fs.writeFile(file, JSON.stringify({ ...createManifest('r', T0), version: 2 }));
  await t.throwsAsync(readManifest(dir), { instanceOf: UserError, message: /: version: / });
});

test('writeManifest refuses an invalid manifest instead of writing it', async (t) => {
  const dir = tempDir('s3gan-manifest-');
  const invalid = { ...createManifest('r', T0), stages: { 'Bad Name': { status: 'done', artifacts: [] } } } as Manifest;
  await t.throwsAsync(writeManifest(dir, invalid));
  t.deepEqual(await fs.readdir(dir), []);
});
