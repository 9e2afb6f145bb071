/**
 * `runExperiment(options)`: an experiment grid (experiment-file.ts) from code, as
 * `s3gan experiment` runs it: the shared stages once each, then every cell, in this process or as
 * `parallel` child processes, or as jobs on a Redis queue for `s3gan worker`s; finished cells are skipped and killed ones resume, so the same call
 * continues an interrupted grid. At the end the results are read back from the cells and written
 * by the results writers (results/) into the output folder.
 */
import * as path from 'node:path';
import { setOverrides, abortStopRequest, type SettingValue } from '../api/options.js';
import type { Dataset } from '../data/types.js';
import { UserError } from '../util/errors.js';
import { InterruptedError } from '../util/interrupt.js';
import { createProgress, formatDuration, SILENT_PROGRESS, type ProgressStream } from '../util/progress.js';
import type { ExperimentResults } from './cell-result.js';
import { gridResults } from './collect.js';
import { planLines } from './estimate.js';
import { readExperimentFile } from './experiment-file.js';
import { planGrid, type GridUnit } from './grid.js';
import { runInParallel } from './parallel.js';
import { unitJobId } from './queue/jobs.js';
import { connectRedis, parseQueueUrl } from './queue/connection.js';
import { runQueuedGrid } from './queue/enqueue.js';
import { writeExperimentResults } from './results/index.js';
import { runUnit, unitFinished, unitLogFile } from './run-unit.js';

export interface ExperimentOptions {
  /** The experiment file, e.g. 'configs/experiments/label-efficiency-mnist.yaml'. */
  readonly config: string;
  /** The output folder (cells/, shared/, logs/, the results); default runs/experiments/<name>. */
  readonly out?: string;
  /** Overrides by dotted key for every cell, applied after the experiment's own `set` (as --set). */
  readonly set?: Readonly<Record<string, SettingValue>>;
  /** Units run at once, each as a child process; default 1: one after another in this process. */
  readonly parallel?: number;
  /** Only plan: return the cells and shared stages with estimated times, writing nothing. */
  readonly dryRun?: boolean;
  /** Lines for people: a line per unit done, where the results went. Default: none. */
  readonly log?: (line: string) => void;
  /** Where the grid's one progress line goes (cells done/total, current cell and stage, ETA). Default: none. */
  readonly progress?: ProgressStream;
  /** Stops the grid: a training stage finishes its step and writes a checkpoint; rerunning continues. */
  readonly signal?: AbortSignal;
  /** Run only this unit (a cell id, or a shared stage's '<stage>-<hash>'), its shared stages done: what --parallel's children do. */
  readonly unit?: string;
  /** The command that reproduces the experiment, recorded in the results (default: built from the options). */
  readonly command?: string;
  /**
   * Run the grid on `s3gan worker`s: its units are enqueued in BullMQ at this Redis URL
   * (redis://HOST:PORT[/DB]), followed until done, then the results are written (queue/enqueue.ts).
   */
  readonly queue?: string;
  /** With `unit`: the hash its config must have (a queued unit's job id), so a grid changed since it was queued is refused. */
  readonly unitHash?: string;
  /** With `unit`: called as each stage of the unit starts. */
  readonly onUnitStage?: (stage: string) => void;
}

export interface ExperimentSummary {
  /** The output folder (absolute). */
  readonly out: string;
  /** Every shared stage and cell with its estimated time, or that it is done already. */
  readonly plan: readonly string[];
  /** The results (absent for a dry run or a single unit). */
  readonly results?: ExperimentResults;
}

function defaultCommand(options: ExperimentOptions): string {
  const sets = Object.entries(options.set ?? {}).map(([key, value]) => ` --set ${key}=${Array.isArray(value) ? `[${value.join(',')}]` : String(value)}`);
  return `s3gan experiment --config ${options.config}${options.out === undefined ? '' : ` --out ${options.out}`}${sets.join('')}`;
}

/** The `--set` arguments of `set`, for the child processes. */
function setArgs(set: Readonly<Record<string, SettingValue>> = {}): string[] {
  return setOverrides(set).flatMap((o) => ['--set', typeof o === 'string' ? o : o.assignment]);
}

/** Runs the experiment of `options.config`; see ExperimentOptions. Bad input rejects with a UserError before anything is written. */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentSummary> {
  // 1. Every cell's config, resolved and checked before anything is written.
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) throw new UserError(`parallel: expected a whole number of processes ≥ 1, got ${String(options.parallel)}`);
  if (options.queue !== undefined && parallel > 1) throw new UserError('parallel: a queued grid runs on its workers; give each worker its --concurrency instead');
  if (options.queue !== undefined) parseQueueUrl(options.queue);
  const experiment = readExperimentFile(options.config);
  const out = path.resolve(options.out ?? path.join('runs', 'experiments', experiment.name));
  const grid = await planGrid(experiment, out, setOverrides(options.set));
  const units: GridUnit[] = [...grid.shared, ...grid.cells];
  const log = options.log ?? (() => undefined);

  if (options.unit !== undefined) {
    const unit = units.find((u) => u.key === options.unit);
    if (unit === undefined) throw new UserError(`unit: '${options.unit}' is not a cell or shared stage of ${options.config}; units: ${units.map((u) => u.key).join(', ')}`);
    if (options.unitHash !== undefined && unitJobId(unit) !== options.unitHash) {
      throw new UserError(`unit: ${unit.key} of ${options.config} is no longer the unit that was queued (its config changed since); rerun 'experiment --queue'`);
    }
    await runUnit(unit, { out, datasets: new Map(), stop: abortStopRequest(options.signal), onStage: options.onUnitStage });
    return { out, plan: [] };
  }

  const states = await Promise.all(units.map(async (unit) => ({ unit, finished: await unitFinished(unit) })));
  const plan = planLines(states);
  if (options.dryRun === true) return { out, plan };

  // 2. The units, with one progress line across the grid's cells (a queue's Redis reached first).
  const client = options.queue === undefined ? undefined : await connectRedis(options.queue);
  const progress = createProgress({ label: `experiment ${experiment.name}`, total: grid.cells.length, unit: 'cells', stream: options.progress ?? SILENT_PROGRESS, announce: true });
  const done = (unit: GridUnit, text: string) => {
    log(`${unit.kind === 'cell' ? 'cells' : 'shared'}/${unit.key}: ${text}`);
    if (unit.kind === 'cell') progress.tick(1);
  };
  try {
    if (client !== undefined && options.queue !== undefined) {
      const args = ['--config', path.resolve(options.config), '--out', out, ...setArgs(options.set)];
      await runQueuedGrid(grid, client, { queue: options.queue, out, args, progress, log, signal: options.signal });
    } else if (parallel > 1) {
      const args = ['--config', options.config, '--out', out, ...setArgs(options.set)];
      const active = new Set<string>();
      const running = () => ({ running: active.size > 0 ? [...active].join(' ') : 'none' });
      // Finished units need no process of their own.
      for (const { unit } of states.filter((state) => state.finished)) done(unit, 'already done');
      await runInParallel(units, {
        finished: states.filter((state) => state.finished).map((state) => state.unit.key),
        parallel,
        out,
        args,
        signal: options.signal,
        onStart: (unit) => (active.add(unit.key), progress.tick(0, running())),
        // The payload first, so the line that counts this unit no longer lists it as running.
        onDone: (unit, seconds) => (active.delete(unit.key), progress.tick(0, running()), done(unit, `done in ${formatDuration(seconds)}`)),
      });
    } else {
      const datasets = new Map<string, Dataset>();
      const stop = abortStopRequest(options.signal);
      for (const unit of units) {
        if (options.signal?.aborted === true) break;
        const started = Date.now();
        const onStage = (stage: string) => progress.tick(0, { now: `${unit.key} ${stage}` });
        const result = await runUnit(unit, { out, datasets, stop, onStage }).catch((error: unknown) => {
          throw error instanceof UserError ? new UserError(`${unit.kind} ${unit.key}: ${error.message} (log: ${unitLogFile(out, unit)})`) : error;
        });
        done(unit, result.skipped ? 'already done' : `done in ${formatDuration((Date.now() - started) / 1000)}`);
      }
    }
  } finally {
    progress.stop();
    client?.disconnect();
  }
  if (options.signal?.aborted === true) throw new InterruptedError(`experiment ${experiment.name} stopped; rerun the same command to continue`, 'SIGINT');

  // 3. The results, read back from the run directories.
  const results: ExperimentResults = await gridResults(out, grid, { name: experiment.name, command: options.command ?? defaultCommand(options), configText: experiment.text });
  await writeExperimentResults(out, results);
  log(`results: ${out}`);
  return { out, plan, results };
}
