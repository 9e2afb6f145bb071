import test from 'ava';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { appendJsonLine, readJsonLines } from '../../src/artifacts/json-lines.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

test('appended values come back in order, one complete line each; a missing file reads as none', async (t) => {
  const file = path.join(tempDir('s3gan-json-lines-'), 'history.jsonl');
  t.deepEqual(await readJsonLines(file), []);
  appendJsonLine(file, { step: 1, nested: { fid: 3.5 } });
  appendJsonLine(file, { step: 2, nested: { fid: 2.5 } });
  t.is(readFileSync(file, 'utf8'), '{"step":1,"nested":{"fid":3.5}}\n{"step":2,"nested":{"fid":2.5}}\n');
  t.deepEqual(await readJsonLines(file), [
    { step: 1, nested: { fid: 3.5 } },
    { step: 2, nested: { fid: 2.5 } },
  ]);
});

test('a line cut short by a kill is skipped by readers and cut away by the next append', async (t) => {
  const file = path.join(tempDir('s3gan-json-lines-'), 'history.jsonl');
  appendJsonLine(file, { step: 1 });
  // What a writer killed in the middle of its write(2) leaves behind.
  appendFileSync(file, '{"step":2,"metr');
  t.deepEqual(await readJsonLines(file), [{ step: 1 }]);
  appendJsonLine(file, { step: 3 });
  t.is(readFileSync(file, 'utf8'), '{"step":1}\n{"step":3}\n', 'no torn line between complete ones');
  t.deepEqual(await readJsonLines(file), [{ step: 1 }, { step: 3 }]);
});

test('a malformed complete line is refused naming the file and line', async (t) => {
  const file = path.join(tempDir('s3gan-json-lines-'), 'history.jsonl');
  writeFileSync(file, '{"step":1}\nnot json\n{"step":3}\n');
  await t.throwsAsync(readJsonLines(file), { instanceOf: UserError, message: `${file}:2: not a valid JSON line` });
});
