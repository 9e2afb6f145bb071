import test from 'ava';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { configChanges } from '../../src/artifacts/config-changes.js';
import { acquireLock, LOCK_FILE } from '../../src/artifacts/lock.js';
import { makeDirs } from '../../src/artifacts/make-dirs.js';
import { openRunDir } from '../../src/artifacts/run-dir.js';
import { UserError } from '../../src/util/errors.js';
import { dirSnapshot } from '../cli/helpers.js';
import { tempDir } from '../temp.js';
import { MANIFEST_FILE, RESOLVED_CONFIG_FILE } from '../../src/artifacts/run-layout.js';

test('a run directory that is opened and closed without a commit is left byte-identical', async (t) => {
  const dir = tempDir('s3gan-integrity-');
  const first = await openRunDir(dir, { resolvedConfig: { gan: { width: 8 } } });
  await first.markStage('gan', { status: 'running' });
  await first.close();
  const before = dirSnapshot(dir);

  const refused = await openRunDir(dir, { resolvedConfig: { gan: { width: 4 } } });
  await refused.recordBackend('cpu', 'tfjs');
  t.is((await refused.manifest()).backend?.name, 'cpu', 'the manifest as it would be written');
  await refused.close();
  t.deepEqual(dirSnapshot(dir), before);
});

test('a fresh run directory (and the parents it needed) is removed again when nothing was committed', async (t) => {
  const root = tempDir('s3gan-integrity-');
  const dir = path.join(root, 'runs', 'new');
  const run = await openRunDir(dir, { resolvedConfig: {} });
  t.true(existsSync(path.join(dir, LOCK_FILE)));
  await run.close();
  t.deepEqual(await fs.readdir(root), []);
});

test('the commit writes the changed config and records each changed key in the manifest', async (t) => {
  const dir = tempDir('s3gan-integrity-');
  const first = await openRunDir(dir, { resolvedConfig: { gan: { steps: 10, width: 8 }, labels: { fraction: 0.01 } } });
  await first.commit();
  await first.close();
  const second = await openRunDir(dir, { resolvedConfig: { gan: { steps: 20, width: 8 }, labels: { perClass: 5 } } });
  await second.markStage('gan', { status: 'running' });
  await second.close();
  const manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as { configChanges: { stage: string; changes: unknown[] }[] };
  t.is(manifest.configChanges.length, 1);
  t.is(manifest.configChanges[0].stage, 'gan');
  t.deepEqual(manifest.configChanges[0].changes, [
    { key: 'gan.steps', from: 10, to: 20 },
    { key: 'labels.fraction', from: 0.01 },
    { key: 'labels.perClass', to: 5 },
  ]);
  t.deepEqual(JSON.parse(await fs.readFile(path.join(dir, RESOLVED_CONFIG_FILE), 'utf8')), { gan: { steps: 20, width: 8 }, labels: { perClass: 5 } });
});

test('configChanges compares leaves; arrays are values', (t) => {
  t.deepEqual(configChanges({ a: { b: [1, 2] }, c: 1 }, { a: { b: [1, 2] }, c: 1 }), []);
  t.deepEqual(configChanges({ a: { b: [1, 2] } }, { a: { b: [1, 3] } }), [{ key: 'a.b', from: [1, 2], to: [1, 3] }]);
});

test('a run directory under /proc (where recursive mkdir never returns) fails at once, naming the path', async (t) => {
  if (!existsSync('/proc/self')) {
    t.pass('no /proc here');
    return;
  }
  const dir = '/proc/s3gan-test/run';
  const error = await t.throwsAsync(openRunDir(dir, { resolvedConfig: {} }), { instanceOf: UserError });
  t.regex(error.message, /^cannot create run directory \/proc\/s3gan-test\/run: cannot create \/proc\/s3gan-test: the file system of \/proc does not allow creating directories \(config key run\.dir\)$/);
});

test('makeDirs names the file in the way and returns what it created', async (t) => {
  const root = tempDir('s3gan-integrity-');
  await fs.writeFile(path.join(root, 'file'), 'x');
  const error = await t.throwsAsync(makeDirs(path.join(root, 'file', 'a', 'b'), { noun: 'directory' }), { instanceOf: UserError });
  t.is(error.message, `cannot create directory ${path.join(root, 'file', 'a', 'b')}: ${path.join(root, 'file')} is not a directory`);
  t.deepEqual(await makeDirs(path.join(root, 'x', 'y'), { noun: 'directory' }), [path.join(root, 'x'), path.join(root, 'x', 'y')]);
  t.deepEqual(await makeDirs(path.join(root, 'x', 'y'), { noun: 'directory' }), []);
});

test('a .lock that is a directory is a UserError naming it, and the directory is left alone', async (t) => {
  const dir = tempDir('s3gan-integrity-');
  await fs.mkdir(path.join(dir, LOCK_FILE));
  const error = await t.throwsAsync(acquireLock(dir), { instanceOf: UserError });
  t.is(error.message, `lock file ${path.join(dir, LOCK_FILE)} is a directory, not a lock file: remove it if no s3gan process is using ${dir} (config key run.dir)`);
  t.true((await fs.stat(path.join(dir, LOCK_FILE))).isDirectory());
});
