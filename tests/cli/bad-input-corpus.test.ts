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
import { CLI, dirSnapshot, s3gan, tempDir } from './helpers.js';
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

test('every bad input exits 2 with one line naming the culprit, no stack, nothing changed', async (t) => {
  const root = tempDir('s3gan-corpus-');
  const cacheHome = path.join(root, 'cache');
  const trained = path.join(root, 'trained');
  const made = s3gan(['run', '--run', trained, ...TINY], { cacheHome });
  t.is(made.code, 0, made.stderr);

  const cases = corpusCases();
  t.true(cases.length >= 40, `the corpus has ${cases.length} cases`);
  let next = 0;
  const failures: string[] = [];
  const worker = async (): Promise<void> => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i];
      const dir = path.join(root, `case-${i}`);
      mkdirSync(dir);
      const fixture: CorpusFixture = {
        dir,
        tiny: TINY,
        trainedRun: () => {
          const copy = path.join(dir, 'run');
          cpSync(trained, copy, { recursive: true });
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
      const outcome = await runCli(prepared.args, dir, cacheHome);
      const lines = outcome.stderr.trim().split('\n');
      const errorLine = lines.at(-1) ?? '';
      const problems: string[] = [];
      if (outcome.code !== 2) problems.push(`exit code ${outcome.code}`);
      if (!errorLine.startsWith('s3gan: error: ')) problems.push('the last line is not "s3gan: error: …"');
      if (lines.filter((line) => /error/i.test(line)).length !== 1) problems.push('more than one error line');
      if (/\n\s+at /.test(outcome.stderr)) problems.push('a stack trace');
      if (!c.culprit.test(errorLine)) problems.push(`culprit ${c.culprit} not named`);
      watched.forEach((w, k) => {
        const after = dirSnapshot(w);
        if (JSON.stringify(after) !== JSON.stringify(before[k])) problems.push(`${path.relative(dir, w)} changed`);
      });
      if (problems.length > 0) failures.push(`${c.name}: ${problems.join(', ')}\n    ${outcome.stderr.trim().split('\n').join('\n    ')}`);
    }
  };
  await Promise.all([worker(), worker()]);
  t.deepEqual(failures, [], failures.join('\n'));
});
