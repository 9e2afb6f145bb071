import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
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
