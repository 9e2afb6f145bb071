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

test('non-TTY: a line at a new tenth of the work once 10 s have passed, with rate and ETA, and a final line', (t) => {
  const { lines, stream, now, advance } = fakes();
  const progress = createProgress({ label: 'decode', total: 50000, unit: 'images', stream, now });
  advance(2);
  progress.update(6200); // crosses 10%, but too soon after the start
  t.deepEqual(lines, []);
  advance(9);
  progress.update(12000); // 11 s: a new tenth since the last line
  t.deepEqual(lines, ['decode: 12000/50000 images (24%), 1091 images/s, ETA 35s\n']);
  advance(5);
  progress.update(30000); // a new tenth, but 5 s after the last line
  t.is(lines.length, 1);
  advance(5);
  progress.update(31000); // 10 s after the last line, still past a tenth not yet shown
  t.is(lines[1], 'decode: 31000/50000 images (62%), 1476 images/s, ETA 13s\n');
  advance(9.5);
  progress.update(50000); // the 100% line is left to stop()
  t.is(lines.length, 2);
  progress.stop();
  progress.stop();
  t.deepEqual(lines.slice(2), ['decode: 50000/50000 images (100%), 1639 images/s, done in 31s\n']);
  progress.update(50001);
  t.is(lines.length, 3);
});

test('non-TTY: fast work in many updates prints only its final line', (t) => {
  const { lines, stream, now, advance } = fakes();
  const progress = createProgress({ label: 'generate + features', total: 1000, unit: 'images', stream, now });
  for (let i = 0; i < 100; i++) {
    advance(0.09);
    progress.tick(10);
  }
  progress.stop();
  t.deepEqual(lines, ['generate + features: 1000/1000 images (100%), 111 images/s, done in 9s\n']);
});

test('non-TTY with announce: a first line at once, before any work is done', (t) => {
  const { lines, stream, now } = fakes();
  createProgress({ label: 'pretrain', total: 2000, unit: 'steps', stream, now, announce: true });
  t.deepEqual(lines, ['pretrain: 0/2000 steps, starting\n']);
  createProgress({ label: 'decode', total: 10, unit: 'images', stream, now });
  t.is(lines.length, 1, 'without it, nothing until the first update');
});

test('non-TTY: slow work prints a line every 30 s while it moves, and none while it stands still', (t) => {
  const { lines, stream, now, advance } = fakes();
  const progress = createProgress({ label: 'train', total: 1000, unit: 'steps', stream, now });
  for (let i = 0; i < 65; i++) {
    advance(1);
    progress.tick(1, { dLoss: 0.693147, phase: 'gan' });
  }
  t.deepEqual(lines, [
    'train: 30/1000 steps (3%), 1.0 steps/s, ETA 16m 10s, dLoss=0.6931, phase=gan\n',
    'train: 60/1000 steps (6%), 1.0 steps/s, ETA 15m 40s, dLoss=0.6931, phase=gan\n',
  ]);
  // Stalled: updates with new payloads but no new steps, for minutes.
  for (let i = 0; i < 10; i++) {
    advance(30);
    progress.update(65, { dLoss: 0.5 + i / 100 });
  }
  t.is(lines.length, 3, 'the update after the last line, at 65 steps, is its only one');
  t.is(lines[2], 'train: 65/1000 steps (6%), 0.68 steps/s, ETA 22m 47s, dLoss=0.5\n');
  advance(1);
  progress.tick(1);
  t.is(lines[3], 'train: 66/1000 steps (6%), 0.18 steps/s, ETA 1h 26m, dLoss=0.59\n', 'moving again after the stall');
  advance(1);
  progress.tick(1);
  t.is(lines.length, 4, 'moved, but only 1 s after the last line');
  progress.stop();
  t.is(lines[4], 'train: 67/1000 steps (6%), 0.18 steps/s, stopped in 6m 07s, dLoss=0.59\n');
});

test('progressFn adapts to (done, total) callbacks and stops itself at the end', (t) => {
  const { lines, stream, now, advance } = fakes();
  const report = progressFn({ label: 'read', unit: 'files', stream, now });
  for (let done = 1; done <= 4; done++) {
    advance(11);
    report(done, 4);
  }
  t.deepEqual(lines, [
    'read: 1/4 files (25%), 0.091 files/s, ETA 33s\n',
    'read: 2/4 files (50%), 0.091 files/s, ETA 22s\n',
    'read: 3/4 files (75%), 0.091 files/s, ETA 11s\n',
    'read: 4/4 files (100%), 0.091 files/s, done in 44s\n',
  ]);
  advance(1);
  report(1, 2); // a second round starts a new reporter
  report(2, 2);
  t.is(lines[4], 'read: 2/2 files (100%), 2.0 files/s, done in 1s\n');
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
