/**
 * Bad input, as a new user types it: every case must exit with code 2 and end with exactly one
 * error line, "s3gan: error: …", that names the culprit (flag, key, file or folder), show no
 * stack trace, and leave the run directory it points at byte-identical. Lines before the error
 * (the plan, the backend chosen) are allowed: a stage says what it starts before it can fail.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, dirSnapshot, tempDir } from './helpers.js';
import { corpusCases, type CorpusFixture } from './bad-input-cases.js';

/** The tiny pipeline every run-directory case starts from (cpu backend, 8×8 MNIST, width 2). */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'labels.perClass=4',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.steps=2',
  '--set', 'pretrain.heldOutFraction=0.002',
  '--set', 'pretrain.logHeldOutImages=16',
  '--set', 'pretrain.checkpointEverySteps=1',
  '--set', 'pseudoLabel.folds=2',
  '--set', 'pseudoLabel.l2Strengths=[0.01,1]',
  '--set', 'gan.method=s3gan',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=16',
  '--set', 'gan.steps=2',
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'gan.checkpointEverySteps=1',
];

interface Outcome {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the CLI without blocking the event loop, so two cases can run at once. */
function runCli(args: readonly string[], cwd: string, cacheHome: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, S3GAN_QUIET_BACKEND: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Two commands at a time: each test waits for a slot (the machine has two cores). */
const SLOTS = 2;
let free = SLOTS;
const waiting: (() => void)[] = [];
async function withSlot<T>(task: () => Promise<T>): Promise<T> {
  if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  else free--;
  try {
    return await task();
  } finally {
    const next = waiting.shift();
    if (next === undefined) free++;
    else next();
  }
}

const root = tempDir('s3gan-corpus-');
const cacheHome = path.join(root, 'cache');
let trained: Promise<string> | undefined;
/** The finished tiny run the run-directory cases copy, made once for the file. */
function trainedRun(): Promise<string> {
  trained ??= withSlot(async () => {
    const dir = path.join(root, 'trained');
    const made = await runCli(['run', '--run', dir, ...TINY], root, cacheHome);
    if (made.code !== 0) throw new Error(`the tiny run failed:\n${made.stderr}`);
    return dir;
  });
  return trained;
}

const cases = corpusCases();

test('the corpus holds at least 40 bad inputs', (t) => {
  t.true(cases.length >= 40, `${cases.length} cases`);
});

for (const [i, c] of cases.entries()) {
  test(c.name, async (t) => {
    const dir = path.join(root, `case-${i}`);
    mkdirSync(dir);
    const fixture: CorpusFixture = {
      dir,
      tiny: TINY,
      trainedRun: async () => {
        const copy = path.join(dir, 'run');
        cpSync(await trainedRun(), copy, { recursive: true });
        return copy;
      },
      write: (rel, content) => {
        const file = path.join(dir, rel);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
        return file;
      },
    };
    const prepared = await c.prepare(fixture);
    const watched = prepared.watch ?? [];
    const before = watched.map(dirSnapshot);
    const outcome = await withSlot(() => runCli(prepared.args, dir, cacheHome));
    const lines = outcome.stderr.trim().split('\n');
    const errorLine = lines.at(-1) ?? '';
    t.is(outcome.code, 2, outcome.stderr);
    t.true(errorLine.startsWith('s3gan: error: '), `the last line is the error:\n${outcome.stderr}`);
    t.is(lines.filter((line) => /error/i.test(line)).length, 1, `one error line:\n${outcome.stderr}`);
    t.notRegex(outcome.stderr, /\n\s+at /, 'no stack trace');
    t.regex(errorLine, c.culprit);
    for (const [k, w] of watched.entries()) t.deepEqual(dirSnapshot(w), before[k], `${w} is unchanged`);
  });
}
