import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../temp.js';

export { tempDir };

export const CLI = resolve('dist/src/cli/main.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One decode cache for all commands of a test file: the first load fills it, the rest hit it. */
const sharedCacheHome = tempDir('s3gan-cli-cache-');

/** Runs the s3gan executable as a user would, with its own cache directory. */
export function s3gan(args: readonly string[], options: { cwd?: string; cacheHome?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: options.cacheHome ?? sharedCacheHome, S3GAN_QUIET_BACKEND: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Every file under `dir` (recursively) as relative path → SHA-256 of its bytes, for asserting that
 * a refused command left a run directory byte-identical. Missing `dir` gives an empty record.
 */
export function dirSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const childAbs = join(abs, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        out[`${childRel}/`] = 'dir';
        walk(childAbs, childRel);
      } else {
        out[childRel] = createHash('sha256').update(readFileSync(childAbs)).digest('hex');
      }
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}

/** A run's metrics.jsonl without its wall-clock fields: what must match between a resumed and a whole run. */
export function runMetrics(run: string): Record<string, unknown>[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { time: _time, imagesPerSecond: _rate, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
}

/** Networks small enough for the cpu backend: MNIST resized to 8×8, a GAN of width 2. */
export const TINY_NETWORKS = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=8',
];

/** A GAN small enough for the cpu backend that logs every step and checkpoints every second one. */
export const TINY = [
  ...TINY_NETWORKS,
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'gan.checkpointEverySteps=2',
];
