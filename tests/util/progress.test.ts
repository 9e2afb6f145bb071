import test from 'ava';
import { createProgress, formatDuration, formatRate, progressFn } from '../../src/util/progress.js';

/** A non-TTY stream that keeps what is written, and a clock the test moves by hand. */
function fakes() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (chunk: string) => lines.push(chunk) };
  let ms = 1_000_000;
  return { lines, stream, now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
}

test('formatDuration and formatRate', (t) => {
  t.is(formatDuration(12.4), '12s');
  t.is(formatDuration(185), '3m 05s');
  t.is(formatDuration(7620), '2h 07m');
  t.is(formatDuration(Number.NaN), '?');
  t.is(formatRate(3100.4), '3100');
  t.is(formatRate(12.54), '12.5');
  t.is(formatRate(0.4217), '0.42');
  t.is(formatRate(Number.NaN), '?');
});

test('non-TTY: a line every 10% of the work, with rate and ETA, and a final line', (t) => {
  const { lines, stream, now, advance } = fakes();
  const progress = createProgress({ label: 'decode', total: 50000, unit: 'images', stream, now });
  advance(1);
  progress.update(3000); // 6%: no line yet
  t.deepEqual(lines, []);
  advance(1);
  progress.update(6200); // crosses 10%
  t.deepEqual(lines, ['decode: 6200/50000 images (12%), 3100 images/s, ETA 14s\n']);
  advance(0.5);
  progress.tick(100); // still in the same tenth, and < 5 s since the last line
  t.is(lines.length, 1);
  advance(1.5);
  progress.update(12000);
  t.is(lines[1], 'decode: 12000/50000 images (24%), 3000 images/s, ETA 13s\n');
  advance(12);
  progress.update(50000); // the 100% line is left to stop()
  t.is(lines.length, 2);
  progress.stop();
  progress.stop();
  t.deepEqual(lines.slice(2), ['decode: 50000/50000 images (100%), 3125 images/s, done in 16s\n']);
  progress.update(50001);
  t.is(lines.length, 3);
});

test('non-TTY with announce: a first line at once, before any work is done', (t) => {
  const { lines, stream, now } = fakes();
  createProgress({ label: 'pretrain', total: 2000, unit: 'steps', stream, now, announce: true });
  t.deepEqual(lines, ['pretrain: 0/2000 steps, starting\n']);
  createProgress({ label: 'decode', total: 10, unit: 'images', stream, now });
  t.is(lines.length, 1, 'without it, nothing until the first update');
});

test('non-TTY: slow work still prints a line every 5 seconds', (t) => {
  const { lines, stream, now, advance } = fakes();
  const progress = createProgress({ label: 'train', total: 1000, unit: 'steps', stream, now });
  for (let i = 0; i < 10; i++) {
    advance(1);
    progress.tick(1, { dLoss: 0.693147, phase: 'gan' });
  }
  t.deepEqual(lines, [
    'train: 5/1000 steps (0%), 1.0 steps/s, ETA 16m 35s, dLoss=0.6931, phase=gan\n',
    'train: 10/1000 steps (1%), 1.0 steps/s, ETA 16m 30s, dLoss=0.6931, phase=gan\n',
  ]);
  progress.stop();
  t.is(lines[2], 'train: 10/1000 steps (1%), 1.0 steps/s, stopped in 10s, dLoss=0.6931, phase=gan\n');
});

test('progressFn adapts to (done, total) callbacks and stops itself at the end', (t) => {
  const { lines, stream, now, advance } = fakes();
  const report = progressFn({ label: 'read', unit: 'files', stream, now });
  for (let done = 1; done <= 4; done++) {
    advance(1);
    report(done, 4);
  }
  t.deepEqual(lines, [
    'read: 1/4 files (25%), 1.0 files/s, ETA 3s\n',
    'read: 2/4 files (50%), 1.0 files/s, ETA 2s\n',
    'read: 3/4 files (75%), 1.0 files/s, ETA 1s\n',
    'read: 4/4 files (100%), 1.0 files/s, done in 4s\n',
  ]);
});

test('a TTY stream gets a cli-progress bar instead of lines', (t) => {
  const chunks: string[] = [];
  const stream = {
    isTTY: true,
    columns: 120,
    write: (chunk: string) => chunks.push(chunk),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => stream,
    removeListener: () => stream,
  };
  const progress = createProgress({ label: 'decode', total: 10, unit: 'images', stream });
  progress.update(5, { loss: 0.5 });
  progress.stop();
  const text = chunks.join('');
  t.regex(text, /decode \[█{20}░{20}\] 50% \| 5\/10 images \| \d+ images\/s \| ETA \d+s \| loss=0\.5/);
  t.false(text.includes('decode: '));
});
