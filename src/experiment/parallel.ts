/**
 * `--parallel N`: the grid's units as child processes (`s3gan experiment --unit KEY`), at most N at
 * once, each starting only once the shared stages it adopts are finished. Every unit has its own
 * run directory, so no two processes ever share one (run directories are locked besides). A failed
 * unit lets the running ones finish and starts no other.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors.js';
import type { GridUnit } from './grid.js';
import { unitLogFile } from './run-unit.js';

/** The s3gan command line of this installation. */
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface ParallelOptions {
  readonly parallel: number;
  readonly out: string;
  /** The arguments every child gets before its `--unit KEY` (the experiment file, --out, --set). */
  readonly args: readonly string[];
  readonly signal?: AbortSignal;
  /** Keys of the units finished already: not started again. */
  readonly finished?: readonly string[];
  /** A unit started, or ended (skipped: it was finished already). */
  readonly onStart?: (unit: GridUnit) => void;
  readonly onDone?: (unit: GridUnit, seconds: number) => void;
}

function runChild(unit: GridUnit, options: ParallelOptions): Promise<void> {
  const log = unitLogFile(options.out, unit);
  mkdirSync(path.dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'experiment', ...options.args, '--unit', unit.key], { stdio: ['ignore', fd, fd], detached: true });
    // Detached, so that a Ctrl-C on the terminal reaches the children once, through the grid's signal:
    // each stops as on Ctrl-C, finishing its step and writing a checkpoint.
    const stop = () => child.kill('SIGINT');
    options.signal?.addEventListener('abort', stop, { once: true });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', stop);
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new UserError(`${unit.kind} ${unit.key} failed (${signal ?? `exit code ${code}`}); see ${log}`));
    });
  });
}

/** Runs `units` (in dependency order: shared stages before their users) as child processes. */
export async function runInParallel(units: readonly GridUnit[], options: ParallelOptions): Promise<void> {
  const finished = new Set<string>(options.finished);
  const waiting = units.filter((unit) => !finished.has(unit.key));
  const running = new Map<string, Promise<void>>();
  let failure: unknown;
  const ready = (unit: GridUnit) => unit.adopts.every((a) => finished.has(a.from));
  while (waiting.length > 0 || running.size > 0) {
    while (failure === undefined && options.signal?.aborted !== true && running.size < options.parallel) {
      const index = waiting.findIndex(ready);
      if (index < 0) break;
      const [unit] = waiting.splice(index, 1);
      const started = Date.now();
      options.onStart?.(unit);
      const task = runChild(unit, options).then(
        () => {
          finished.add(unit.key);
          options.onDone?.(unit, (Date.now() - started) / 1000);
        },
        (error: unknown) => {
          failure ??= error;
        },
      );
      running.set(unit.key, task.finally(() => running.delete(unit.key)));
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure !== undefined) throw failure;
}
