import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLabelJson, readLabelFile } from '../../src/data/image-folder-label-file.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

test('a JSON label file labelling an image twice is refused, naming the file, the line and the key', (t) => {
  const text = '{\n  "a.png": "cat",\n  "b.png": "dog",\n  "a.png": "dog"\n}\n';
  t.throws(() => parseLabelJson(text, '/x/labels.json'), {
    instanceOf: UserError,
    message: '/x/labels.json, line 4: key "a.png" appears twice (JSON keeps only the last); remove one',
  });
});

test('duplicates inside "labels" are refused too, also when spelled with escapes', (t) => {
  const text = '{"classes": ["cat", "dog"],\n "labels": {"ab.png": "cat",\n  "a\\u0062.png": "dog"}}';
  t.throws(() => parseLabelJson(text, 'labels.json'), { instanceOf: UserError, message: /labels\.json, line 3: key "ab\.png" appears twice/ });
});

test('a duplicate key in a file on disk fails when read; distinct keys still parse', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'labels.json');
  await writeFile(file, '{"x/1.png": "a", "x/2.png": "b", "x/1.png": "a"}');
  await t.throwsAsync(readLabelFile(file), { instanceOf: UserError, message: new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, line 1: key "x/1\\.png" appears twice`) });
  await writeFile(file, '{"x/1.png": "a", "x/2.png": "b"}');
  t.deepEqual((await readLabelFile(file)).entries.map((e) => e.file), ['x/1.png', 'x/2.png']);
});
