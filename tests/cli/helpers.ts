import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CLI = resolve('dist/src/cli/main.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function tempDir(prefix = 's3gan-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the s3gan executable as a user would, with its own cache directory. */
export function s3gan(args: readonly string[], options: { cwd?: string; cacheHome?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: options.cacheHome ?? tempDir('s3gan-cache-'), S3GAN_QUIET_BACKEND: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
