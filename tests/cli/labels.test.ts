import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { s3gan, tempDir } from './helpers.js';

interface SubsetFile {
  dataset: string;
  ids: string[];
  countPerClass: number[];
}

test('labels writes the subset, the resolved config and the manifest with the backend', (t) => {
  const run = join(tempDir(), 'run');
  const result = s3gan(['labels', '--run', run, '--set', 'labels.fraction=0.001', '--set', 'backend.name=cpu']);
  t.is(result.code, 0, result.stderr);
  const subset = JSON.parse(readFileSync(join(run, 'labels', 'labelled-subset.json'), 'utf8')) as SubsetFile;
  t.is(subset.dataset, 'mnist');
  t.is(subset.ids.length, 60);
  t.deepEqual(subset.countPerClass, Array(10).fill(6));
  const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as {
    backend: { name: string };
    stages: Record<string, { status: string; artifacts: string[] }>;
  };
  t.is(manifest.backend.name, 'cpu');
  t.is(manifest.stages.labels.status, 'done');
  t.deepEqual(manifest.stages.labels.artifacts, ['labels/labelled-subset.json']);
  const resolved = JSON.parse(readFileSync(join(run, 'resolved-config.json'), 'utf8')) as { labels: { fraction: number } };
  t.is(resolved.labels.fraction, 0.001);
  t.regex(result.stderr, /backend: cpu/);
  t.false(existsSync(join(run, '.lock')), 'the lock is released');
});

test('a fraction out of range or too many per class exits 2 and leaves no run directory', (t) => {
  for (const [override, message] of [
    ['labels.fraction=0', /labels\.fraction: must be > 0 and ≤ 1/],
    ['labels.fraction=1.5', /labels\.fraction: must be > 0 and ≤ 1/],
    ['labels.perClass=6000', /labels\.perClass=6000 is more than class '5' has \(5421 labelled images\)/],
  ] as const) {
    const run = join(tempDir(), 'run');
    const result = s3gan(['labels', '--run', run, '--set', override]);
    t.is(result.code, 2, override);
    t.regex(result.stderr, message);
    t.false(existsSync(run), `${override}: nothing written`);
  }
});

test('an unwritable or locked run directory exits 2 naming it', (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a-file'), 'x');
  const blocked = s3gan(['labels', '--run', join(dir, 'a-file', 'run'), '--set', 'labels.perClass=1']);
  t.is(blocked.code, 2);
  t.regex(blocked.stderr, /a-file\/run/);
  t.regex(blocked.stderr, /run\.dir/);

  const locked = join(dir, 'locked');
  mkdirSync(locked);
  // This test process is alive, so its pid holds the lock.
  writeFileSync(join(locked, '.lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), token: 'held-by-test' }));
  const result = s3gan(['labels', '--run', locked, '--set', 'labels.perClass=1']);
  t.is(result.code, 2);
  t.regex(result.stderr, /locked by process/);
  t.regex(result.stderr, new RegExp(String(process.pid)));
  t.false(existsSync(join(locked, 'labels')), 'nothing written into a locked run');
});

