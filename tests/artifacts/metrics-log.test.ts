import test from 'ava';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog } from '../../src/artifacts/metrics-log.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir as makeTempDir } from '../temp.js';

async function tempFile(): Promise<string> {
  return path.join(makeTempDir('s3gan-metrics-'), 'metrics.jsonl');
}

test('records are appended one per line with a time stamp and read back', async (t) => {
  const file = await tempFile();
  const log = MetricsLog.open(file);
  log.log({ step: 1, dLoss: 0.5, phase: 'gan', ema: true, fid: null });
  log.log({ step: 2, dLoss: Number.NaN });
  log.close();
  log.close();
  const text = await fs.readFile(file, 'utf8');
  t.is(text.split('\n').length, 3);
  t.true(text.endsWith('\n'));
  const records = await MetricsLog.read(file);
  t.is(records.length, 2);
  t.regex(records[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.deepEqual({ ...records[0], time: 'x' }, { time: 'x', step: 1, dLoss: 0.5, phase: 'gan', ema: true, fid: null });
  t.deepEqual({ ...records[1], time: 'x' }, { time: 'x', step: 2, dLoss: null });
  t.throws(() => log.log({ step: 3 }), { message: /used after close/ });
});

test('reopening appends after the existing records', async (t) => {
  const file = await tempFile();
  const first = MetricsLog.open(file);
  first.log({ step: 1 });
  first.close();
  const second = MetricsLog.open(file);
  second.log({ step: 2 });
  second.close();
  t.deepEqual((await MetricsLog.read(file)).map((r) => r.step), [1, 2]);
});

test('a partial trailing line (killed mid-write) is cut away on open', async (t) => {
  const file = await tempFile();
  const good = '{"time":"2024-01-01T00:00:00.000Z","step":1}\n';
  await fs.writeFile(file, `${good}{"time":"2024-01-01T00:00:01.000Z","st`);
  t.deepEqual((await MetricsLog.read(file)).map((r) => r.step), [1]);
  const log = MetricsLog.open(file);
  t.is(await fs.readFile(file, 'utf8'), good);
  log.log({ step: 2 });
  log.close();
  t.deepEqual((await MetricsLog.read(file)).map((r) => r.step), [1, 2]);
});

test('a file holding only a partial line is emptied; a long tail is found across chunks', async (t) => {
  const file = await tempFile();
  await fs.writeFile(file, '{"time":"2024');
  MetricsLog.open(file).close();
  t.is((await fs.stat(file)).size, 0);

  const good = `{"time":"2024-01-01T00:00:00.000Z","note":"${'x'.repeat(100_000)}"}\n`;
  await fs.writeFile(file, `${good}${'y'.repeat(150_000)}`);
  MetricsLog.open(file).close();
  t.is((await fs.stat(file)).size, Buffer.byteLength(good));
});

test('a corrupt complete line is a UserError naming file and line', async (t) => {
  const file = await tempFile();
  await fs.writeFile(file, '{"time":"2024-01-01T00:00:00.000Z"}\nnot json\n');
  await t.throwsAsync(MetricsLog.read(file), { instanceOf: UserError, message: `${file}:2: not a valid JSON line in the metrics log` });
  await fs.writeFile(file, '[1,2]\n');
  await t.throwsAsync(MetricsLog.read(file), { instanceOf: UserError, message: /:1: not a metrics record/ });
});

test('a log in a missing directory is a UserError naming the path', async (t) => {
  const file = path.join(await tempFile(), 'nested.jsonl');
  t.throws(() => MetricsLog.open(file), { instanceOf: UserError, message: `cannot open metrics log ${file}: no such file or directory` });
});

test('a record may not set time itself', async (t) => {
  const log = MetricsLog.open(await tempFile());
  t.throws(() => log.log({ time: 'now' }), { message: /must not set `time`/ });
  log.close();
});
