/**
 * A queued unit run by a worker as a child process (`s3gan experiment --unit KEY`, as --parallel
 * runs them), so that a crash of the unit leaves the worker up and its job's lock renewed while the
 * unit computes. The child reports each stage it starts over an IPC channel; it stops at a step
 * boundary with a checkpoint written on SIGINT, and also when that channel closes because the
 * worker died.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unitLogFile } from '../run-unit.js';
import type { UnitJobData } from './jobs.js';

/** The s3gan command line of this installation. */
const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** How a unit's process ended. */
export type UnitExit =
  | { readonly kind: 'done' }
  /** A UserError: `message` is its one line. */
  | { readonly kind: 'user-error'; readonly message: string }
  /** Stopped on request (SIGINT) after writing a checkpoint. */
  | { readonly kind: 'stopped' }
  | { readonly kind: 'crashed'; readonly message: string };

/** Exit codes of the CLI (src/cli/program.ts). */
const USER_ERROR_EXIT = 2;
const STOPPED_EXITS = new Set([130, 143]);

export interface UnitProcessOptions {
  /** The job id, checked by the child against the unit's config hash: the grid must not have changed since it was queued. */
  readonly jobId: string;
  /** Aborted: the child is asked to stop at its next step boundary. */
  readonly signal: AbortSignal;
  readonly onStage: (stage: string) => void;
}

/** The message of the child's last `s3gan: error: ...` line, if any. */
function errorLine(output: string): string | undefined {
  const lines = output.split('\n').filter((line) => line.startsWith('s3gan: '));
  return lines.at(-1)?.replace(/^s3gan: (error: )?/, '');
}

/** Runs the unit of `data` into its run directory; its output is appended to the unit's log file. */
export function runUnitProcess(data: UnitJobData, options: UnitProcessOptions): Promise<UnitExit> {
  const log = unitLogFile(data.out, data);
  mkdirSync(path.dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  return new Promise<UnitExit>((resolve, reject) => {
    const args = [CLI, 'experiment', ...data.args, '--unit', data.key, '--unit-hash', options.jobId];
    // Detached: a Ctrl-C on the worker's terminal reaches the child once, through the worker.
    const child = spawn(process.execPath, args, { cwd: data.cwd, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    let tail = '';
    const keep = (chunk: Buffer) => {
      writeSync(fd, chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (message: { stage?: unknown }) => {
      if (typeof message.stage === 'string') options.onStage(message.stage);
    });
    const stop = () => child.kill('SIGINT');
    options.signal.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => {
      closeSync(fd);
      reject(error);
    });
    child.on('close', (code, signal) => {
      options.signal.removeEventListener('abort', stop);
      closeSync(fd);
      const message = errorLine(tail) ?? `${signal ?? `exit code ${code}`}`;
      if (code === 0) resolve({ kind: 'done' });
      else if (code === USER_ERROR_EXIT) resolve({ kind: 'user-error', message });
      else if (code !== null && STOPPED_EXITS.has(code) && options.signal.aborted) resolve({ kind: 'stopped' });
      else resolve({ kind: 'crashed', message: `${message} (${signal ?? `exit code ${code}`}; see ${log})` });
    });
  });
}
