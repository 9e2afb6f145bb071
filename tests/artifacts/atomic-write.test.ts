import test from 'ava';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  fsUserError,
  writeFileAtomic,
  writeFileAtomicSync,
  writeJsonAtomic,
  writeJsonAtomicSync,
} from '../../src/artifacts/atomic-write.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

test('writeFileAtomic writes text and bytes, replacing an existing file, and leaves no temp file', async (t) => {
  const dir = tempDir('s3gan-atomic-');
  const file = path.join(dir, 'a.txt');
  await writeFileAtomic(file, 'first');
  await writeFileAtomic(file, 'second');
  t.is(await fs.readFile(file, 'utf8'), 'second');
  const bin = path.join(dir, 'b.bin');
  await writeFileAtomic(bin, new Uint8Array([0, 1, 255]));
  t.deepEqual([...(await fs.readFile(bin))], [0, 1, 255]);
  t.deepEqual((await fs.readdir(dir)).sort(), ['a.txt', 'b.bin']);
});

test('writeJsonAtomic writes two-space JSON with a final newline', async (t) => {
  const dir = tempDir('s3gan-atomic-');
  const file = path.join(dir, 'x.json');
  await writeJsonAtomic(file, { a: 1, b: [true, null] });
  t.is(await fs.readFile(file, 'utf8'), '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n');
  writeJsonAtomicSync(file, { c: 'd' });
  t.is(await fs.readFile(file, 'utf8'), '{\n  "c": "d"\n}\n');
});

test('writeJsonAtomic refuses a value without a JSON form', async (t) => {
  const dir = tempDir('s3gan-atomic-');
  await t.throwsAsync(writeJsonAtomic(path.join(dir, 'u.json'), undefined), { message: /no JSON form/ });
  t.deepEqual(await fs.readdir(dir), []);
});

test('a write into a missing directory is a UserError naming the path', async (t) => {
  const dir = tempDir('s3gan-atomic-');
  const file = path.join(dir, 'missing', 'y.json');
  const error = await t.throwsAsync(writeJsonAtomic(file, {}), { instanceOf: UserError });
  t.is(error?.message, `cannot write ${file}: no such file or directory`);
  t.deepEqual(await fs.readdir(dir), []);
});

test('a write under a regular file is a UserError naming the path, sync and async', async (t) => {
  const dir = tempDir('s3gan-atomic-');
  await fs.writeFile(path.join(dir, 'plain'), 'not a directory');
  const file = path.join(dir, 'plain', 'z.json');
  const error = await t.throwsAsync(writeFileAtomic(file, 'data'), { instanceOf: UserError });
  t.is(error?.message, `cannot write ${file}: a component of the path is not a directory`);
  t.throws(() => writeFileAtomicSync(file, 'data'), { instanceOf: UserError, message: `cannot write ${file}: a component of the path is not a directory` });
  t.deepEqual(await fs.readdir(dir), ['plain']);
});

test('a failure after the temp file exists removes the temp file and keeps the old target', async (t) => {
  const dir = tempDir('s3gan-atomic-');
  // The target is a non-empty directory: the temp file is written, then rename fails.
  const target = path.join(dir, 'target');
  await fs.mkdir(target);
  await fs.writeFile(path.join(target, 'inside'), 'x');
  const error = await t.throwsAsync(writeFileAtomic(target, 'data'));
  t.regex(error?.message ?? '', new RegExp(`cannot write ${target}: `));
  t.throws(() => writeFileAtomicSync(target, 'data'));
  t.deepEqual(await fs.readdir(dir), ['target']);
  t.deepEqual(await fs.readdir(target), ['inside']);
});

test('fsUserError leaves unexpected errors untouched', (t) => {
  const odd = Object.assign(new Error('weird'), { code: 'EWEIRD' });
  t.is(fsUserError('write', '/x', odd), odd);
  const denied = fsUserError('write', '/x/y.json', Object.assign(new Error('EACCES'), { code: 'EACCES' }));
  t.true(denied instanceof UserError);
  t.is((denied as Error).message, 'cannot write /x/y.json: permission denied');
});
